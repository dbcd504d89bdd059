"""Reading a descriptor: YAML with positions, then the JSON Schema, every problem at once.

``yaml.compose`` keeps each node's start mark, so every problem — bad YAML, a duplicate
key, an unknown or missing field, a wrong type — is reported with its line and column.
"""

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from apps.catalog.descriptors.limits import LimitExceeded, Loader, check_limits
from apps.core.problems import Problem, format_path, key_problem

SCHEMA_PATH = Path(__file__).with_name("schema.json")


@dataclass
class Parsed:
    """A descriptor's data and the position of each of its nodes (by JSON path tuple)."""

    data: object = None
    marks: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)

    def locate(self, path: tuple, code: str, message: str, *, key: bool = False) -> Problem:
        """A problem at ``path`` (or its nearest existing ancestor)."""
        probe = tuple(path)
        while probe not in self.marks and probe:
            probe = probe[:-1]
        mark = self.marks.get(("key",) + probe if key and ("key",) + probe in self.marks else probe)
        return Problem(format_path(path), code, message, mark[0] if mark else None, mark[1] if mark else None)


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def _build(node, path: tuple, parsed: Parsed):
    """Turn a composed node into plain data, recording marks and duplicate keys."""
    parsed.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = _build(key_node, path + ("<key>",), parsed)
            problem = key_problem(key, out, path, key_node)
            if problem is not None:
                parsed.problems.append(problem)
                if problem.code == "invalid_key":
                    continue
            parsed.marks[("key",) + path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = _build(value_node, path + (key,), parsed)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), parsed) for i, item in enumerate(node.value)]
    return _scalar(node, path, parsed)


def _scalar(node, path: tuple, parsed: Parsed):
    loader = yaml.SafeLoader("")
    try:
        value = loader.construct_object(node, deep=True)
    finally:
        loader.dispose()
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # an escaped lone surrogate ("\ud800"): no database can store it
            parsed.problems.append(
                Problem(
                    format_path(path),
                    "invalid_text",
                    "Text with an invalid Unicode escape (a lone surrogate).",
                    node.start_mark.line + 1,
                    node.start_mark.column + 1,
                )
            )
            return ""
    return value


def parse(text: str) -> Parsed:
    """Parse YAML (or JSON) text; never raises for bad input, lists problems instead.

    The bounds of ``limits`` are checked first, on the event stream, so that nothing is
    composed or built from a document that would be too large, too deep or alias-bombed.
    """
    parsed = Parsed()
    try:
        check_limits(text)
    except LimitExceeded as exc:
        parsed.problems.append(Problem("", exc.code, exc.message, exc.line, exc.column))
        return parsed
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        message = f"{getattr(exc, 'problem', None) or exc}".strip()
        context = getattr(exc, "context", None)
        parsed.problems.append(
            Problem(
                "",
                "invalid_yaml",
                f"Not valid YAML: {message}" + (f" ({context})" if context else ""),
                mark.line + 1 if mark else None,
                mark.column + 1 if mark else None,
            )
        )
        return parsed
    if node is None:
        parsed.problems.append(Problem("", "empty", "The descriptor is empty."))
        return parsed
    parsed.data = _build(node, (), parsed)
    for path in [p for p in parsed.marks if p and p[-1] == "<key>"]:
        del parsed.marks[path]
    if not isinstance(parsed.data, dict):
        parsed.problems.append(parsed.locate((), "invalid", "A descriptor is a mapping (apiVersion, kind, id, ...)."))
        return parsed
    parsed.problems += schema_problems(parsed)
    return parsed


def schema_problems(parsed: Parsed) -> list[Problem]:
    from jsonschema import Draft202012Validator  # here: the descriptor registries are imported at start-up

    problems = []
    validator = Draft202012Validator(schema())
    for error in sorted(validator.iter_errors(parsed.data), key=lambda e: (list(map(str, e.absolute_path)), e.message)):
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties":
            allowed = set(error.schema.get("properties", {}))
            for extra in sorted(set(error.instance) - allowed):
                problems.append(
                    parsed.locate(
                        path + (extra,),
                        "unknown_field",
                        f"Unknown field '{extra}'. Allowed here: {', '.join(sorted(allowed))}.",
                        key=True,
                    )
                )
        elif error.validator == "required":
            for missing in [r for r in error.validator_value if r not in error.instance]:
                problems.append(parsed.locate(path + (missing,), "required", f"'{missing}' is required."))
        elif (
            error.validator == "oneOf"
            and error.schema.get("oneOf")
            and all("required" in s for s in error.schema["oneOf"])
        ):
            problems.append(parsed.locate(path, "owner_required", "A team member names either a username or a team."))
        else:
            problems.append(
                parsed.locate(path, error.validator if isinstance(error.validator, str) else "invalid", error.message)
            )
    return problems
