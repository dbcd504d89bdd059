"""Reading a folder of AsyncAPI documents and the files they reference, safely.

Every file is read once, size-capped, and must lie inside the source's folder (a ``$ref``
to ``../../etc/passwd`` is refused). Syntax errors name the file, line and column. ``$ref``
resolution follows JSON Pointer (RFC 6901) within a document or into a sibling file
(``schemas/order.avsc``, ``common.yaml#/components/schemas/Money``).
"""

import re
from pathlib import Path
from urllib.parse import unquote

import orjson
import yaml

from apps.harvest.harvesters.base import SourceError

try:  # libyaml's parser is ~10x faster on big documents
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader


class Loader(_BaseLoader):
    """A safe loader with YAML 1.2 booleans: ``on``/``off``/``yes``/``no`` stay strings.

    AsyncAPI documents are YAML 1.2; PyYAML implements 1.1, which would turn the
    specification's own ``enum: [on, off]`` into ``[True, False]``.
    """


Loader.yaml_implicit_resolvers = {
    key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:bool"]
    for key, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json")
MAX_REF_DEPTH = 64


class DocumentError(SourceError):
    """A document or referenced file is malformed; the message names file, line and column."""

    def __init__(self, message: str):
        super().__init__(message, stage="document")


def parse_text(text: str, name: str):
    """YAML or JSON text → Python objects, or ``DocumentError`` with ``name:line:column``."""
    if name.endswith((".json", ".avsc")):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise DocumentError(f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    try:
        return yaml.load(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark, context = exc.problem_mark or exc.context_mark, exc.context_mark
        where = f"{mark.line + 1}:{mark.column + 1}" if mark else "?:?"
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        if context is not None and mark is not None and context.line != mark.line:
            problem += f" (the construct began at {context.line + 1}:{context.column + 1})"
        raise DocumentError(f"{name}:{where}: not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise DocumentError(f"{name}: not valid YAML: {exc}") from None


class Folder:
    """The documents of one source folder, with a cache of parsed files and a ``$ref`` resolver."""

    def __init__(self, root: Path, *, max_file_bytes: int, max_files: int):
        self.root = root.resolve()
        self.max_file_bytes = max_file_bytes
        self.max_files = max_files
        self._files: dict[Path, object] = {}

    def documents(self) -> list[Path]:
        """AsyncAPI documents: YAML/JSON files anywhere under the folder with an ``asyncapi`` key."""
        if not self.root.is_dir():
            raise SourceError(f"The folder {self.root} does not exist or is not a directory.", stage="path")
        found = sorted(p for p in self.root.rglob("*") if p.suffix.lower() in DOCUMENT_SUFFIXES and p.is_file())
        if len(found) > self.max_files:
            raise SourceError(
                f"The folder holds {len(found)} YAML/JSON files; the limit is {self.max_files}.", stage="path"
            )
        return [p for p in found if _looks_like_asyncapi(p)]

    def name(self, path: Path) -> str:
        return str(path.relative_to(self.root))

    def load(self, path: Path):
        path = path.resolve()
        if path not in self._files:
            if not path.is_relative_to(self.root):
                raise DocumentError(f"{path.name}: a reference may not leave the source folder.")
            if not path.is_file():
                raise DocumentError(
                    f"{self.name(path) if path.is_relative_to(self.root) else path}: the referenced file does not exist."
                )
            size = path.stat().st_size
            if size > self.max_file_bytes:
                raise DocumentError(
                    f"{self.name(path)}: {size:,} bytes; the limit is {self.max_file_bytes:,} bytes a file."
                )
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise DocumentError(f"{self.name(path)}: not UTF-8 text (byte {exc.start}).") from None
            self._files[path] = parse_text(text, self.name(path))
        return self._files[path]

    # --- $ref ----------------------------------------------------------------------------

    def resolve(self, node, base: Path, depth: int = 0):
        """``(node, file it came from)`` with ``$ref`` chains followed."""
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            if depth > MAX_REF_DEPTH:
                raise DocumentError(f"{self.name(base)}: $ref chain deeper than {MAX_REF_DEPTH} (a cycle?).")
            node, base = self.follow(node["$ref"], base)
            depth += 1
        return node, base

    def follow(self, ref: str, base: Path):
        file_part, _, pointer = ref.partition("#")
        if file_part.startswith(("http://", "https://")):
            raise DocumentError(f"{self.name(base)}: $ref {ref!r} points at the network; only local files are read.")
        target = (base.parent / unquote(file_part)).resolve() if file_part else base
        document = self.load(target)
        return _pointer(document, pointer, f"{self.name(base)}: $ref {ref!r}"), target


def _pointer(document, pointer: str, context: str):
    node = document
    if not pointer or pointer == "/":
        return node
    for raw in pointer.lstrip("/").split("/"):
        token = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise DocumentError(f"{context}: nothing at '{token}'.")
    return node


def _looks_like_asyncapi(path: Path) -> bool:
    """Cheap sniff of the first kilobytes so that referenced schema files are not taken for documents."""
    with path.open("rb") as f:
        head = f.read(4096)
    return b"asyncapi" in head
