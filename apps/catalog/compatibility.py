"""The one rule table for schema compatibility, from the consumer's side.

Every place that compares two shapes of a dataset asks this module: the harvest pipeline
(``SchemaChange.is_breaking``), contract versions (a major change needs a major version
bump) and descriptor/contract diffs (``mesh diff``). A change is *breaking* when a
consumer that worked before can fail or silently read something else after it.

Shapes are plain dicts so that harvested columns and ODCS properties compare alike::

    {"name": {"type": "varchar(50)", "nullable": False, "primary_key": False, "unique": False,
              "description": "...", "accepted_values": [...], "classification": "internal",
              "ordinal": 3}}

Missing keys mean "not said", and a rule only fires when both sides say something.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

MAJOR, MINOR, PATCH = "major", "minor", "patch"
LEVEL_ORDER = {PATCH: 0, MINOR: 1, MAJOR: 2}


@dataclass(frozen=True)
class Rule:
    """One row of the table: what kind of change, whether it breaks consumers, its semver level."""

    kind: str
    breaking: bool
    level: str
    description: str


RULES: dict[str, Rule] = {
    r.kind: r
    for r in (
        # --- breaking: a consumer's query or assumption can fail ------------------------
        Rule("dataset_removed", True, MAJOR, "The dataset is gone: every reader fails."),
        Rule("column_removed", True, MAJOR, "A column is gone: queries naming it fail."),
        Rule("column_renamed", True, MAJOR, "A column has a new name: queries naming the old one fail."),
        Rule("type_incompatible", True, MAJOR, "The type changed to one that does not hold the old values."),
        Rule("type_narrowed", True, MAJOR, "Shorter, less precise or zone-less: old values may not fit."),
        Rule("became_nullable", True, MAJOR, "NULLs may now appear where consumers relied on none."),
        Rule("primary_key_dropped", True, MAJOR, "The key no longer identifies a row: joins may fan out."),
        Rule("unique_dropped", True, MAJOR, "Duplicates may now appear."),
        Rule("accepted_value_removed", True, MAJOR, "A value consumers filter or map on disappears."),
        Rule("classification_raised", True, MAJOR, "Stricter classification: some consumers lose the right to read."),
        Rule("sla_loosened", True, MAJOR, "A weaker promise (later, less often, kept shorter)."),
        # --- non-breaking ----------------------------------------------------------------
        Rule("dataset_added", False, MINOR, "A new dataset."),
        Rule("column_added", False, MINOR, "A new column: existing queries keep working."),
        Rule("type_widened", False, MINOR, "Wider type: every old value still fits."),
        Rule("became_required", False, MINOR, "NOT NULL now: a stronger promise."),
        Rule("primary_key_added", False, MINOR, "A key now identifies rows."),
        Rule("unique_added", False, MINOR, "Values are now unique."),
        Rule("accepted_value_added", False, MINOR, "A further accepted value."),
        Rule("classification_lowered", False, MINOR, "Looser classification: more people may read."),
        Rule("sla_tightened", False, MINOR, "A stronger promise."),
        Rule("docs_changed", False, PATCH, "Descriptions and documentation only."),
    )
}


@dataclass(frozen=True)
class Change:
    """One classified difference: ``subject`` is a column (``dataset.column``) or a dataset."""

    kind: str
    subject: str
    before: object = None
    after: object = None
    detail: str = ""

    @property
    def rule(self) -> Rule:
        return RULES[self.kind]

    @property
    def breaking(self) -> bool:
        return self.rule.breaking

    @property
    def level(self) -> str:
        return self.rule.level

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "before": self.before,
            "after": self.after,
            "breaking": self.breaking,
            "level": self.level,
            "detail": self.detail or self.rule.description,
        }


def highest_level(changes) -> str | None:
    levels = [c.level for c in changes]
    return max(levels, key=LEVEL_ORDER.__getitem__) if levels else None


# --- types ------------------------------------------------------------------------------

_ALIASES = {
    "int2": "smallint",
    "int": "integer",
    "int4": "integer",
    "int8": "bigint",
    "serial": "integer",
    "bigserial": "bigint",
    "smallserial": "smallint",
    "long": "bigint",
    "short": "smallint",
    "tinyint": "tinyint",
    "float4": "real",
    "float": "double precision",
    "float8": "double precision",
    "double": "double precision",
    "decimal": "numeric",
    "character varying": "varchar",
    "string": "text",
    "character": "char",
    "bpchar": "char",
    "bool": "boolean",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
    "datetime": "timestamp",
    "time without time zone": "time",
    "time with time zone": "timetz",
}
#: integers by the number of decimal digits they always hold
_INT_DIGITS = {"tinyint": 3, "smallint": 5, "integer": 10, "bigint": 19}
_FLOAT_RANK = {"real": 1, "double precision": 2}
# ODCS logical types: which ones a value of the first can always be read as
_LOGICAL_WIDER = {("integer", "number"), ("date", "timestamp")}
_LOGICAL = {"string", "date", "timestamp", "time", "number", "integer", "object", "array", "boolean", "map", "vector"}


@dataclass(frozen=True)
class ParsedType:
    """A normalised type: ``base`` (lower-case, aliases resolved) and its parameters."""

    base: str
    params: tuple = field(default_factory=tuple)

    def __str__(self):
        return f"{self.base}({','.join(map(str, self.params))})" if self.params else self.base


_TYPE_RE = re.compile(r"^\s*([a-zA-Z_][a-zA-Z0-9_ ]*?)\s*(?:\(\s*([0-9 ,]*)\s*\))?\s*(\[\])?\s*$")


@lru_cache(maxsize=8192)  # pure, and a harvest compares the same few dozen type names thousands of times
def parse_type(text: str) -> ParsedType:
    raw = " ".join((text or "").strip().lower().split())
    zone = ""
    for words, suffix in ((" with time zone", "tz"), (" without time zone", "")):
        if raw.endswith(words) and raw.startswith(("timestamp", "time")):
            raw, zone = raw[: -len(words)], suffix
    match = _TYPE_RE.match(raw)
    if not match:
        return ParsedType(raw)
    base = " ".join(match.group(1).split())
    params = tuple(int(p) for p in (match.group(2) or "").replace(" ", "").split(",") if p)
    # "timestamp(3) with time zone" style: the parameter sits before the zone words
    base = _ALIASES.get(base + zone, base + zone) if zone else _ALIASES.get(base, base)
    if match.group(3):
        base += "[]"
    if base == "numeric" and len(params) == 1:
        params = (params[0], 0)
    return ParsedType(base, params)


@lru_cache(maxsize=8192)
def type_change(before: str, after: str) -> str | None:
    """``None`` when the same, else ``type_widened``, ``type_narrowed`` or ``type_incompatible``."""
    old, new = parse_type(before), parse_type(after)
    if old == new:
        return None
    if old.base in _LOGICAL and new.base in _LOGICAL and not old.params and not new.params:
        return "type_widened" if (old.base, new.base) in _LOGICAL_WIDER else "type_incompatible"
    return _physical_change(old, new)


def _physical_change(old: ParsedType, new: ParsedType) -> str:
    o, n = old.base, new.base
    text_like = {"varchar", "char", "text"}
    if o in text_like and n in text_like:
        old_len = None if o == "text" or not old.params else old.params[0]
        new_len = None if n == "text" or not new.params else new.params[0]
        if new_len is None:
            return "type_widened"
        if old_len is None or new_len < old_len:
            return "type_narrowed"
        # char(n) pads; varchar(m >= n) holds the same values, the reverse pads differently
        return "type_widened" if not (o == "varchar" and n == "char") else "type_incompatible"
    if o in _INT_DIGITS and n in _INT_DIGITS:
        return "type_widened" if _INT_DIGITS[n] >= _INT_DIGITS[o] else "type_narrowed"
    if o in _INT_DIGITS and n == "numeric":
        if not new.params:
            return "type_widened"
        precision, scale = new.params
        return "type_widened" if precision - scale >= _INT_DIGITS[o] else "type_narrowed"
    if o == "numeric" and n == "numeric":
        if not new.params:
            return "type_widened"
        if not old.params:
            return "type_narrowed"
        (p1, s1), (p2, s2) = old.params, new.params
        return "type_widened" if s2 >= s1 and p2 - s2 >= p1 - s1 else "type_narrowed"
    if o in _FLOAT_RANK and n in _FLOAT_RANK:
        return "type_widened" if _FLOAT_RANK[n] >= _FLOAT_RANK[o] else "type_narrowed"
    if o in ("smallint", "tinyint", "integer") and n == "double precision":
        return "type_widened"  # a double holds every 32-bit integer exactly
    if o == "numeric" and n in _INT_DIGITS:
        return "type_narrowed"
    if (o, n) in (("timestamptz", "timestamp"), ("timetz", "time")):
        return "type_narrowed"  # the zone is lost: the same instant now reads differently
    if (o, n) in (("timestamp", "timestamptz"), ("time", "timetz")):
        return "type_widened"
    if (o, n) in (("timestamp", "timestamp"), ("timestamptz", "timestamptz")):
        return "type_widened" if (new.params or (6,))[0] >= (old.params or (6,))[0] else "type_narrowed"
    if o == "date" and n in ("timestamp", "timestamptz"):
        return "type_widened"
    if o == "json" and n == "jsonb":
        return "type_widened"
    return "type_incompatible"


# --- columns and datasets ------------------------------------------------------------------

_CLASSIFICATION_RANK = {"public": 0, "internal": 1, "confidential": 2, "restricted": 3, "secret": 4}


def classification_change(before: str | None, after: str | None) -> str | None:
    rank = _CLASSIFICATION_RANK
    if not before or not after or before.lower() == after.lower():
        return None
    old, new = rank.get(before.lower()), rank.get(after.lower())
    if old is None or new is None:
        return "classification_raised"  # unknown labels: assume stricter, the safe side for consumers
    return "classification_raised" if new > old else "classification_lowered"


def _flag_change(old: dict, new: dict, key: str, dropped: str, added: str) -> str | None:
    if key not in old or key not in new or bool(old[key]) == bool(new[key]):
        return None
    return dropped if old[key] else added


def diff_column(subject: str, old: dict, new: dict) -> list[Change]:
    """The classified changes of one column present on both sides."""
    out = []
    if old.get("type") and new.get("type"):
        kind = type_change(old["type"], new["type"])
        if kind:
            out.append(Change(kind, subject, old["type"], new["type"]))
    if "nullable" in old and "nullable" in new and old["nullable"] != new["nullable"]:
        out.append(
            Change(
                "became_nullable" if new["nullable"] else "became_required", subject, old["nullable"], new["nullable"]
            )
        )
    for key, dropped, added in (
        ("primary_key", "primary_key_dropped", "primary_key_added"),
        ("unique", "unique_dropped", "unique_added"),
    ):
        kind = _flag_change(old, new, key, dropped, added)
        if kind:
            out.append(Change(kind, subject, old[key], new[key]))
    if old.get("accepted_values") is not None and new.get("accepted_values") is not None:
        before, after = list(old["accepted_values"]), list(new["accepted_values"])
        removed = [v for v in before if v not in after]
        added = [v for v in after if v not in before]
        if removed:
            out.append(Change("accepted_value_removed", subject, removed, None))
        if added:
            out.append(Change("accepted_value_added", subject, None, added))
    kind = classification_change(old.get("classification"), new.get("classification"))
    if kind:
        out.append(Change(kind, subject, old.get("classification"), new.get("classification")))
    if (old.get("description") or "") != (new.get("description") or "") and "description" in new:
        out.append(Change("docs_changed", subject, old.get("description"), new.get("description")))
    return out


def _rename_pairs(removed: dict[str, dict], added: dict[str, dict]) -> dict[str, str]:
    """Removed → added names that are one column renamed: same type and same position, unambiguous."""
    pairs = {}
    for old_name, old in removed.items():
        candidates = [
            new_name
            for new_name, new in added.items()
            if new_name not in pairs.values()
            and parse_type(old.get("type", "")) == parse_type(new.get("type", ""))
            and old.get("ordinal") is not None
            and old.get("ordinal") == new.get("ordinal")
        ]
        if len(candidates) == 1:
            pairs[old_name] = candidates[0]
    return pairs


def diff_columns(old: dict[str, dict], new: dict[str, dict], *, prefix: str = "", detect_renames: bool = True):
    """Classified changes between two column maps (name → facts); renames told apart when possible."""
    removed = {n: c for n, c in old.items() if n not in new}
    added = {n: c for n, c in new.items() if n not in old}
    renames = _rename_pairs(removed, added) if detect_renames else {}
    out = []
    for name, col in old.items():
        if name in renames:
            out.append(Change("column_renamed", prefix + name, name, renames[name]))
        elif name not in new:
            out.append(Change("column_removed", prefix + name, col, None))
    renamed_to = set(renames.values())
    for name, col in new.items():
        if name in renamed_to:
            continue
        if name not in old:
            out.append(Change("column_added", prefix + name, None, col))
        else:
            out += diff_column(prefix + name, old[name], col)
    return out


# --- SLAs ------------------------------------------------------------------------------------

_UNIT_SECONDS = {
    "s": 1, "sec": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "week": 604800, "weeks": 604800,
    "y": 31536000, "yr": 31536000, "year": 31536000, "years": 31536000,
}  # fmt: skip
#: for these properties a bigger value is a weaker promise; for the others (retention) a smaller one
_SMALLER_IS_STRONGER = {"latency", "frequency", "timetodetect", "timetonotify", "timetorepair", "freshness"}


def sla_seconds(value, unit: str | None) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    factor = _UNIT_SECONDS.get((unit or "s").strip().lower())
    return None if factor is None else number * factor


def diff_slas(old: dict[str, dict], new: dict[str, dict]) -> list[Change]:
    """SLA properties (name → {value, unit}) compared as promises: a removed SLA is loosened."""
    out = []
    for name, before in old.items():
        after = new.get(name)
        if after is None:
            out.append(Change("sla_loosened", f"sla.{name}", before, None, "The SLA was dropped."))
            continue
        a, b = sla_seconds(before.get("value"), before.get("unit")), sla_seconds(after.get("value"), after.get("unit"))
        if a is None or b is None:
            if (before.get("value"), before.get("unit")) != (after.get("value"), after.get("unit")):
                looser = _looser_percent(name, before.get("value"), after.get("value"))
                if looser is not None:
                    out.append(Change("sla_loosened" if looser else "sla_tightened", f"sla.{name}", before, after))
            continue
        if a == b:
            continue
        smaller_is_stronger = name.lower() in _SMALLER_IS_STRONGER
        looser = (b > a) if smaller_is_stronger else (b < a)
        out.append(Change("sla_loosened" if looser else "sla_tightened", f"sla.{name}", before, after))
    for name, after in new.items():
        if name not in old:
            out.append(Change("sla_tightened", f"sla.{name}", None, after, "A new SLA."))
    return out


def _looser_percent(name: str, before, after) -> bool | None:
    """Availability-like values ("99.9%"): a smaller number is looser."""
    try:
        a, b = float(str(before).rstrip("%")), float(str(after).rstrip("%"))
    except ValueError:
        return None
    return b < a if a != b else None


__all__ = [
    "MAJOR",
    "MINOR",
    "PATCH",
    "RULES",
    "Change",
    "Rule",
    "diff_column",
    "diff_columns",
    "diff_slas",
    "highest_level",
    "parse_type",
    "type_change",
]
