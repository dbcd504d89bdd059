"""Message payloads → flat fields with dotted paths, from JSON Schema or Avro (parsed by fastavro).

A nested field ``customer.address.city`` is one column; its parents are columns too (type
``struct``/``object``), so removing a whole sub-record shows as removed columns. A field is
required (not nullable) when the schema says so all the way from the root: an optional
parent makes its children optional. Defaults are kept (as JSON) because they decide whether
removing a field breaks readers.
"""

from dataclasses import dataclass
from pathlib import Path

import orjson

from apps.harvest.harvesters.asyncapi.documents import DocumentError, Folder

MAX_DEPTH = 32
MAX_FIELDS = 5000
AVRO_PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
AVRO_LOGICAL = {
    "date": "date",
    "time-millis": "time",
    "time-micros": "time",
    "timestamp-millis": "timestamp",
    "timestamp-micros": "timestamp",
    "timestamp-nanos": "timestamp",
    "local-timestamp-millis": "timestamp_ntz",
    "local-timestamp-micros": "timestamp_ntz",
    "uuid": "uuid",
    "duration": "duration",
}
JSON_FORMATS = {
    "date-time": "timestamp",
    "date": "date",
    "time": "time",
    "uuid": "uuid",
    "int32": "int",
    "int64": "long",
    "float": "float",
    "double": "double",
    "email": "string",
    "uri": "string",
}
JSON_TYPES = {"string": "string", "integer": "long", "number": "double", "boolean": "boolean", "null": "null"}


@dataclass(frozen=True)
class Field:
    """One flattened payload field."""

    path: str
    data_type: str
    nullable: bool
    description: str = ""
    default: str = ""


def _default(value) -> str:
    return "" if value is None else orjson.dumps(value).decode()


class _Fields(list):
    def add(self, field: Field) -> None:
        if len(self) >= MAX_FIELDS:
            raise DocumentError(f"a payload with more than {MAX_FIELDS} fields")
        self.append(field)


# --- Avro --------------------------------------------------------------------------------


class AvroTypes:
    """Named Avro types known to a source: every ``.avsc`` file in its folder, parsed by fastavro."""

    def __init__(self, folder: Folder):
        # fastavro is imported by the harvest that reads Avro, not at start-up (the registry
        # imports every harvester module in every process)
        from fastavro.schema import SchemaParseException, UnknownType, parse_schema

        self.folder = folder
        self.named: dict = {}
        self.files: dict[Path, dict] = {}
        pending = sorted(folder.root.rglob("*.avsc"))
        # Files may reference each other's named types in any order: parse until no progress.
        while pending:
            failed = []
            for path in pending:
                try:
                    self.files[path.resolve()] = parse_schema(folder.load(path), named_schemas=self.named)
                except UnknownType as exc:
                    failed.append((path, exc))
                except (SchemaParseException, ValueError, TypeError, KeyError) as exc:
                    raise DocumentError(f"{folder.name(path)}: not a valid Avro schema: {exc}") from None
            if len(failed) == len(pending):
                path, exc = failed[0]
                raise DocumentError(
                    f"{folder.name(path)}: unknown Avro named type '{exc.name}' (define it in an .avsc file of the folder or inline)."
                )
            pending = [p for p, _ in failed]

    def parse(self, schema, context: str) -> dict:
        if isinstance(schema, str) and schema in self.named:
            return self.named[schema]
        from fastavro.schema import SchemaParseException, UnknownType, parse_schema

        try:
            return parse_schema(schema, named_schemas=dict(self.named))
        except UnknownType as exc:
            raise DocumentError(f"{context}: unknown Avro named type '{exc.name}'.") from None
        except (SchemaParseException, ValueError, TypeError, KeyError) as exc:
            raise DocumentError(f"{context}: not a valid Avro schema: {exc}") from None


def avro_fields(schema, named: dict) -> list[Field]:
    """The flattened fields of a parsed Avro record schema."""
    named = {**named, **(schema.get("__named_schemas") or {})} if isinstance(schema, dict) else named
    out = _Fields()
    record = _named(schema, named)
    if not isinstance(record, dict) or record.get("type") != "record":
        out.add(Field("value", _avro_type_name(record, named), _avro_nullable(record)))
        return out
    _avro_record(record, "", False, named, out, set(), 0)
    return out


def _named(t, named):
    return named.get(t, t) if isinstance(t, str) and t not in AVRO_PRIMITIVES else t


def _avro_nullable(t) -> bool:
    return isinstance(t, list) and "null" in t


def _avro_record(record, prefix, nullable, named, out, stack, depth):
    if depth > MAX_DEPTH or record["name"] in stack:
        return  # a recursive type: its fields are listed once, at the first level
    stack = stack | {record["name"]}
    for f in record.get("fields", ()):
        path = f"{prefix}.{f['name']}" if prefix else f["name"]
        _avro_field(f["type"], path, nullable, f.get("doc", ""), f.get("default"), named, out, stack, depth + 1)


def _avro_field(t, path, nullable, doc, default, named, out, stack, depth):
    members = t if isinstance(t, list) else [t]
    non_null = [_named(m, named) for m in members if m != "null"]
    nullable = nullable or len(non_null) < len(members)
    if len(non_null) == 1:
        type_name = _avro_type_name(non_null[0], named)
    else:
        type_name = "union<" + ",".join(_avro_type_name(m, named) for m in non_null) + ">"
    out.add(Field(path, type_name, nullable, doc or "", _default(default)))
    union = len(non_null) > 1
    for member in non_null:
        inner = member
        if isinstance(inner, dict) and inner.get("type") in ("array", "map"):
            inner = _named(inner["items" if inner["type"] == "array" else "values"], named)
        if isinstance(inner, dict) and inner.get("type") == "record":
            _avro_record(inner, path, nullable or union, named, out, stack, depth)


def _avro_type_name(t, named) -> str:
    t = _named(t, named)
    if isinstance(t, str):
        return t
    if isinstance(t, list):
        return "union<" + ",".join(_avro_type_name(m, named) for m in t) + ">"
    kind = t.get("type")
    logical = t.get("logicalType")
    if logical == "decimal":
        return f"decimal({t.get('precision')},{t.get('scale', 0)})"
    if logical in AVRO_LOGICAL:
        return AVRO_LOGICAL[logical]
    if kind == "record":
        return f"struct<{t['name']}>"
    if kind == "enum":
        return "enum(" + ",".join(t.get("symbols", ())) + ")"
    if kind == "array":
        return f"array<{_avro_type_name(t['items'], named)}>"
    if kind == "map":
        return f"map<string,{_avro_type_name(t['values'], named)}>"
    if kind == "fixed":
        return f"fixed({t.get('size')})"
    if isinstance(kind, (str, list, dict)):
        return _avro_type_name(kind, named)
    return "unknown"


# --- JSON Schema ------------------------------------------------------------------------


def json_schema_fields(schema, folder: Folder, base: Path) -> list[Field]:
    """The flattened fields of a JSON Schema (AsyncAPI Schema) payload."""
    out = _Fields()
    schema, base = folder.resolve(schema, base)
    if not isinstance(schema, dict):
        raise DocumentError(f"{folder.name(base)}: a payload schema is an object, not {type(schema).__name__}")
    properties, required = _json_properties(schema, folder, base, 0)
    if not properties and _json_type(schema, folder, base)[0] not in ("object", "unknown"):
        out.add(Field("value", _json_type(schema, folder, base)[0], _json_type(schema, folder, base)[1]))
        return out
    _json_object(properties, required, "", False, folder, base, out, 0)
    return out


def _json_properties(schema, folder, base, depth) -> tuple[dict, set]:
    """(properties, required names), merging ``allOf`` and — as optional — ``oneOf``/``anyOf``."""
    properties = dict(schema.get("properties") or {})
    properties = {k: (v, base) for k, v in properties.items()}
    required = set(schema.get("required") or ())
    if depth > MAX_DEPTH:
        return properties, required
    for key, keep_required in (("allOf", True), ("oneOf", False), ("anyOf", False)):
        for part in schema.get(key) or ():
            part, part_base = folder.resolve(part, base)
            if not isinstance(part, dict):
                continue
            more, more_required = _json_properties(part, folder, part_base, depth + 1)
            for name, value in more.items():
                properties.setdefault(name, value)
            if keep_required:
                required |= more_required
    return properties, required


def _json_type(schema, folder, base) -> tuple[str, bool]:
    kind = schema.get("type")
    nullable = False
    if isinstance(kind, list):
        nullable = "null" in kind
        kind = next((k for k in kind if k != "null"), "null")
    if schema.get("nullable") is True:
        nullable = True
    if kind is None:
        kind = "object" if "properties" in schema else ("array" if "items" in schema else None)
    if kind is None and any(k in schema for k in ("oneOf", "anyOf", "allOf")):
        kind = "object"
    if schema.get("enum") and kind in ("string", None):
        return "enum(" + ",".join(str(v) for v in schema["enum"]) + ")", nullable
    if kind == "string" and schema.get("format") in JSON_FORMATS:
        return JSON_FORMATS[schema["format"]], nullable
    if kind in ("integer", "number") and schema.get("format") in JSON_FORMATS:
        return JSON_FORMATS[schema["format"]], nullable
    if kind == "array":
        items, items_base = folder.resolve(schema.get("items") or {}, base)
        inner = _json_type(items, folder, items_base)[0] if isinstance(items, dict) and items else "unknown"
        return f"array<{inner}>", nullable
    return JSON_TYPES.get(kind, kind or "unknown"), nullable


def _json_object(properties, required, prefix, nullable, folder, base, out, depth):
    if depth > MAX_DEPTH:
        return
    for name, (prop, prop_base) in properties.items():
        path = f"{prefix}.{name}" if prefix else name
        prop, prop_base = folder.resolve(prop, prop_base)
        if not isinstance(prop, dict):
            out.add(Field(path, "unknown", True))
            continue
        data_type, type_nullable = _json_type(prop, folder, prop_base)
        optional = nullable or type_nullable or name not in required
        out.add(Field(path, data_type, optional, str(prop.get("description") or ""), _default(prop.get("default"))))
        inner, inner_base = prop, prop_base
        if data_type.startswith("array<"):
            inner, inner_base = folder.resolve(prop.get("items") or {}, prop_base)
        if isinstance(inner, dict):
            children, child_required = _json_properties(inner, folder, inner_base, depth + 1)
            if children:
                _json_object(children, child_required, path, optional, folder, inner_base, out, depth + 1)
