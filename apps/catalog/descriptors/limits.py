"""Bounds a descriptor must respect before any object is built from it.

YAML aliases make a 1 KB document expand to a billion nodes ("billion laughs"); 50,000
nested ``[`` make PyYAML's recursive composer raise ``RecursionError``; a 10,000-port
file is accepted by the schema and then costs minutes. So, before composing the document,
one pass over the parser's event stream (libyaml when available, iterative either way)
counts what the document *would* become:

- ``MESH_DESCRIPTOR_MAX_BYTES`` — the text itself;
- ``MESH_YAML_MAX_ALIASES`` — alias uses (descriptors rarely need any);
- ``MESH_YAML_MAX_NODES`` — nodes after alias expansion (each alias counts as a copy);
- ``MESH_JSON_MAX_DEPTH`` — nesting depth (the same bound as JSON bodies);
- ``MESH_MAX_PORTS_PER_PRODUCT`` — items of ``inputPorts`` plus ``outputPorts``;
- ``MESH_MAX_DESCRIPTION_CHARS`` — any single text value.

The pass stops at the first bound crossed, so a hostile document costs a few
milliseconds whatever it would expand to.
"""

from dataclasses import dataclass

import yaml
from django.conf import settings

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PORT_LISTS = ("inputPorts", "outputPorts")


@dataclass
class LimitExceeded(Exception):
    """The first bound the document crosses, with where (1-based line and column)."""

    code: str
    message: str
    line: int | None = None
    column: int | None = None


@dataclass
class _Frame:
    is_mapping: bool
    anchor: str | None
    size: int = 1
    expecting_key: bool = True
    key: str | None = None
    ports: bool = False  # this sequence is inputPorts/outputPorts of the root mapping


def _mark(event) -> tuple[int | None, int | None]:
    mark = getattr(event, "start_mark", None)
    return (mark.line + 1, mark.column + 1) if mark else (None, None)


def check_limits(text: str) -> None:
    """Raise LimitExceeded at the first bound ``text`` crosses; never builds the document."""
    max_bytes = settings.MESH_DESCRIPTOR_MAX_BYTES
    if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise LimitExceeded("too_large", f"The descriptor is larger than {max_bytes:,} bytes.")
    max_aliases, max_nodes = settings.MESH_YAML_MAX_ALIASES, settings.MESH_YAML_MAX_NODES
    max_depth, max_ports = settings.MESH_JSON_MAX_DEPTH, settings.MESH_MAX_PORTS_PER_PRODUCT
    max_text = settings.MESH_MAX_DESCRIPTION_CHARS
    anchors: dict[str, int] = {}  # anchor -> expanded size of its node
    stack: list[_Frame] = []
    counts = {"aliases": 0, "nodes": 0, "ports": 0}

    def refuse(code: str, message: str, event):
        raise LimitExceeded(code, message, *_mark(event))

    def child_starts(size: int, event) -> None:
        """A node begins under the top frame: count it (expanded) and its port, if any."""
        counts["nodes"] += size
        if counts["nodes"] > max_nodes:
            refuse("too_many_nodes", f"The descriptor expands to more than {max_nodes:,} nodes.", event)
        if stack and stack[-1].ports:
            counts["ports"] += 1
            if counts["ports"] > max_ports:
                refuse("too_many_ports", f"A product has at most {max_ports:,} ports (input and output).", event)

    def child_ends(size: int, key=None) -> None:
        if not stack:
            return
        parent = stack[-1]
        parent.size += size
        if parent.is_mapping:
            if parent.expecting_key:
                parent.key = key if isinstance(key, str) else None
            parent.expecting_key = not parent.expecting_key

    try:
        for event in yaml.parse(text, Loader=Loader):
            if isinstance(event, yaml.AliasEvent):
                counts["aliases"] += 1
                if counts["aliases"] > max_aliases:
                    refuse("too_many_aliases", f"The descriptor uses more than {max_aliases} YAML aliases.", event)
                size = anchors.get(event.anchor, 1)
                child_starts(size, event)
                child_ends(size)
            elif isinstance(event, yaml.ScalarEvent):
                if len(event.value) > max_text:
                    refuse("too_long", f"A text value is longer than {max_text:,} characters.", event)
                if event.anchor:
                    anchors[event.anchor] = 1
                child_starts(1, event)
                child_ends(1, event.value)
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                if len(stack) >= max_depth:
                    refuse("too_deep", f"The descriptor is nested more than {max_depth} levels deep.", event)
                child_starts(1, event)
                parent = stack[-1] if stack else None
                is_ports = (
                    isinstance(event, yaml.SequenceStartEvent)
                    and len(stack) == 1
                    and parent.is_mapping
                    and not parent.expecting_key
                    and parent.key in PORT_LISTS
                )
                stack.append(_Frame(isinstance(event, yaml.MappingStartEvent), event.anchor, ports=is_ports))
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                frame = stack.pop()
                if frame.anchor:
                    anchors[frame.anchor] = frame.size
                child_ends(frame.size)
    except yaml.YAMLError:
        return  # the composer reports syntax errors, with positions, in its own pass
