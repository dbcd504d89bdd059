"""Reading ODCS data contracts: YAML with positions, the official JSON Schema, our own rules.

Django-free on purpose: the ``mesh`` CLI validates files offline with the same code the
server runs. The JSON Schema is the one shipped in the ``open-data-contract-standard``
package (``schema.json``, draft 2019-09; ``apiVersion`` v3.0.0–v3.2.0 and v2.2.x), so we
never keep a copy that drifts. Every problem carries the line and column of its node.

The original text is kept as written: ``with_status(text, status)`` changes only the
``status`` scalar in place, so an export of an untouched contract is the same bytes.
"""

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from apps.catalog import compatibility
from apps.core.problems import Problem, format_path, key_problem

MAX_BYTES = 1_000_000  # one contract; the standard's full example is 12 kB
MAX_PROPERTIES = 5_000
STATUSES = ("draft", "proposed", "active", "deprecated", "retired")
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:[-+][0-9A-Za-z.+-]*)?$")


@dataclass
class ParsedContract:
    """A contract's text, its data, the position of each node, and what is wrong with it."""

    text: str
    data: dict | None = None
    marks: dict = field(default_factory=dict)  # path tuple -> (line, column, start index, end index)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and isinstance(self.data, dict)

    def problem(self, path: tuple, code: str, message: str) -> Problem:
        probe = tuple(path)
        while probe and probe not in self.marks:
            probe = probe[:-1]
        mark = self.marks.get(probe)
        return Problem(format_path(path), code, message, mark[0] if mark else None, mark[1] if mark else None)

    @property
    def contract_id(self) -> str:
        return str((self.data or {}).get("id") or "")

    @property
    def version(self) -> str:
        return str((self.data or {}).get("version") or "")

    @property
    def status(self) -> str:
        return str((self.data or {}).get("status") or "")


@lru_cache(maxsize=1)
def json_schema() -> dict:
    from importlib.util import find_spec

    # locate the package without importing it (its pydantic models cost ~0.3 s to import)
    spec = find_spec("open_data_contract_standard")
    return json.loads((Path(spec.origin).parent / "schema.json").read_text())


@lru_cache(maxsize=1)
def _validator():
    """The ODCS validator, built on first use.

    jsonschema (~50 ms) is imported here, not with the module: ContractsConfig.ready()
    imports this module (its descriptor hook), i.e. every process does.
    """
    from jsonschema import Draft201909Validator

    return Draft201909Validator(json_schema())


# --- YAML with marks ---------------------------------------------------------------------


def _build(node, path: tuple, parsed: ParsedContract):
    parsed.marks[path] = (
        node.start_mark.line + 1,
        node.start_mark.column + 1,
        node.start_mark.index,
        node.end_mark.index,
    )
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            problem = key_problem(key, out, path, key_node)
            if problem is not None:
                parsed.problems.append(problem)
                if problem.code == "invalid_key":
                    continue
            out[key] = _build(value_node, path + (key,), parsed)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), parsed) for i, item in enumerate(node.value)]
    value = _scalar(node)
    if hasattr(value, "isoformat"):  # YAML dates/timestamps: the schema (and JSON) speak strings
        value = node.value
    return value


_constructor = yaml.SafeLoader("")  # only its scalar constructors are used; they keep no state


def _scalar(node):
    value = _constructor.construct_object(node, deep=True)
    _constructor.constructed_objects.pop(node, None)  # the constructor's cache would keep every node alive
    return value


def parse(text: str | bytes) -> ParsedContract:
    """Parse and validate a contract; never raises for bad input, lists problems instead."""
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            return _too_big(len(text))
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            parsed = ParsedContract(text="")
            parsed.problems.append(Problem("", "invalid_encoding", "A contract is UTF-8 text."))
            return parsed
    if len(text.encode("utf-8")) > MAX_BYTES:
        return _too_big(len(text.encode("utf-8")))
    parsed = ParsedContract(text=text)
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        message = f"{getattr(exc, 'problem', None) or exc}".strip()
        parsed.problems.append(
            Problem(
                "",
                "invalid_yaml",
                f"Not valid YAML: {message}",
                mark.line + 1 if mark else None,
                mark.column + 1 if mark else None,
            )
        )
        return parsed
    if node is None:
        parsed.problems.append(Problem("", "empty", "The contract is empty."))
        return parsed
    data = _build(node, (), parsed)
    if not isinstance(data, dict):
        parsed.problems.append(
            parsed.problem((), "invalid", "A contract is a mapping (apiVersion, kind, id, version, status, ...).")
        )
        return parsed
    parsed.data = data
    parsed.problems += schema_problems(parsed)
    parsed.problems += rule_problems(parsed)
    return parsed


def _too_big(size: int) -> ParsedContract:
    parsed = ParsedContract(text="")
    parsed.problems.append(Problem("", "too_large", f"The contract is {size} bytes; the limit is {MAX_BYTES}."))
    return parsed


def schema_problems(parsed: ParsedContract) -> list[Problem]:
    """The official JSON Schema's verdict, one problem per failing leaf, with its position."""
    problems = []
    for error in sorted(_validator().iter_errors(parsed.data), key=lambda e: [str(p) for p in e.absolute_path]):
        leaves = _leaf_errors(error)
        for leaf in leaves:
            path = tuple(leaf.absolute_path)
            if leaf.validator == "enum":
                allowed = ", ".join(map(str, leaf.validator_value))
                message = f"{leaf.instance!r} is not one of: {allowed}."
                code = "unknown_value"
            elif (
                leaf.validator == "required"
                and len(path) >= 2
                and path[-2] in ("properties", "items")
                and isinstance(leaf.instance, dict)
                and "logicalType" not in leaf.instance
            ):
                # the schema's if/then on logicalType fires when the key is absent: say what is missing
                message, code = (
                    "'logicalType' is required (the standard's JSON Schema needs it on every property).",
                    "required",
                )
                path = path + ("logicalType",)
            elif leaf.validator == "required":
                missing = [r for r in leaf.validator_value if r not in (leaf.instance or {})]
                message, code = f"'{', '.join(missing)}' is required.", "required"
                path = path + (missing[0],) if missing else path
            elif leaf.validator in ("additionalProperties", "unevaluatedProperties"):
                message, code = leaf.message, "unknown_field"
            else:
                message, code = leaf.message, str(leaf.validator)
            problems.append(parsed.problem(path, code, message))
    unique = list(dict.fromkeys(problems))
    return unique


def _leaf_errors(error):
    """For anyOf/oneOf/allOf, the most specific sub-errors (the deepest path), not the umbrella."""
    if not error.context:
        return [error]
    deepest = max(len(e.absolute_path) for e in error.context)
    leaves = [e for e in error.context if len(e.absolute_path) == deepest]
    out = []
    for leaf in leaves:
        out += _leaf_errors(leaf)
    return out[:5]


def rule_problems(parsed: ParsedContract) -> list[Problem]:
    """Rules the schema does not state: semver versions, known statuses, unique names, limits."""
    data, problems = parsed.data, []
    if data.get("kind") != "DataContract":
        return problems  # the schema already said so
    version = str(data.get("version") or "")
    if version and not SEMVER.match(version):
        problems.append(
            parsed.problem(
                ("version",), "invalid_version", f"'{version}' is not a semantic version (MAJOR.MINOR.PATCH)."
            )
        )
    status = str(data.get("status") or "")
    if status and status not in STATUSES:
        problems.append(
            parsed.problem(("status",), "unknown_status", f"Status '{status}' is not one of: {', '.join(STATUSES)}.")
        )
    seen, count = set(), 0
    for i, obj in enumerate(data.get("schema") or []):
        if not isinstance(obj, dict):
            continue
        name = obj.get("name")
        if name in seen:
            problems.append(
                parsed.problem(("schema", i, "name"), "duplicate_name", f"Schema object '{name}' appears twice.")
            )
        seen.add(name)
        names = set()
        for j, prop in enumerate(obj.get("properties") or []):
            count += 1
            if isinstance(prop, dict) and prop.get("name") in names:
                problems.append(
                    parsed.problem(
                        ("schema", i, "properties", j, "name"),
                        "duplicate_name",
                        f"Property '{prop.get('name')}' appears twice in '{name}'.",
                    )
                )
            if isinstance(prop, dict):
                names.add(prop.get("name"))
    if count > MAX_PROPERTIES:
        problems.append(parsed.problem(("schema",), "too_large", f"{count} properties; the limit is {MAX_PROPERTIES}."))
    return problems


def with_status(parsed: ParsedContract, status: str) -> str:
    """The original text with only its ``status`` value replaced (or the text unchanged)."""
    if parsed.status == status:
        return parsed.text
    mark = parsed.marks.get(("status",))
    if mark is None:
        return parsed.text
    _, _, start, end = mark
    return parsed.text[:start] + status + parsed.text[end:]


def parse_version(version: str) -> tuple[int, int, int]:
    match = SEMVER.match(version or "")
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else (0, 0, 0)


# --- the shape a contract promises, in the compatibility module's terms ------------------------


def object_name(obj: dict) -> str:
    return str(obj.get("physicalName") or obj.get("name") or "")


def property_shape(prop: dict, ordinal: int) -> dict:
    """An ODCS property as compatibility facts (ODCS defaults: not required, not unique)."""
    facts = {
        "type": prop.get("physicalType") or prop.get("logicalType") or "",
        "logical_type": prop.get("logicalType") or "",
        "nullable": not bool(prop.get("required", False)),
        "primary_key": bool(prop.get("primaryKey", False)),
        "unique": bool(prop.get("unique", False)),
        "description": prop.get("description") or "",
        "ordinal": ordinal,
    }
    if prop.get("classification"):
        facts["classification"] = prop["classification"]
    for rule in prop.get("quality") or []:
        valid = (rule.get("arguments") or {}).get("validValues") if isinstance(rule, dict) else None
        if rule.get("metric") == "invalidValues" and isinstance(valid, list):
            facts["accepted_values"] = valid
    return facts


def contract_shape(data: dict) -> dict[str, dict[str, dict]]:
    """{schema object name: {property name: facts}}."""
    out = {}
    for obj in (data or {}).get("schema") or []:
        if isinstance(obj, dict):
            out[object_name(obj)] = {
                str(p.get("physicalName") or p.get("name")): property_shape(p, i + 1)
                for i, p in enumerate(obj.get("properties") or [])
                if isinstance(p, dict)
            }
    return out


def sla_shape(data: dict) -> dict[str, dict]:
    out = {}
    for sla in (data or {}).get("slaProperties") or []:
        if isinstance(sla, dict) and sla.get("property"):
            key = str(sla["property"]) + (f"[{sla['driver']}]" if sla.get("driver") else "")
            out[key] = {"value": sla.get("value"), "unit": sla.get("unit")}
    return out


def diff_contracts(old: dict, new: dict) -> list[compatibility.Change]:
    """What changes for consumers between two contract documents."""
    old_shape, new_shape = contract_shape(old), contract_shape(new)
    changes = []
    for name, columns in old_shape.items():
        if name not in new_shape:
            changes.append(compatibility.Change("dataset_removed", name))
        else:
            changes += compatibility.diff_columns(
                _comparable(columns, new_shape[name]), _comparable(new_shape[name], columns), prefix=f"{name}."
            )
    changes += [compatibility.Change("dataset_added", name) for name in new_shape if name not in old_shape]
    changes += compatibility.diff_slas(sla_shape(old), sla_shape(new))
    return changes


def _comparable(columns: dict, other: dict) -> dict:
    """Compare physical types only when both sides give one; else the logical types."""
    out = {}
    for name, facts in columns.items():
        peer = other.get(name)
        facts = dict(facts)
        if peer is not None and facts["type"] != facts["logical_type"] and peer["type"] == peer["logical_type"]:
            facts["type"] = facts["logical_type"]
        out[name] = facts
    return out
