"""The maturity rubric: loaded from YAML, validated with the line at fault, digested.

The rubric is data (``apps/trust/rubric.yaml``, or the file named by the
``MESH_TRUST_RUBRIC`` setting). ``load_rubric()`` refuses a file with an unknown principle
or criterion, weights that do not add up to 100, or levels out of order, naming the line;
``AppConfig.ready()`` loads it at startup, so a bad rubric stops the process before it
serves anything and the scores already stored stay as they were.
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings

DEFAULT_RUBRIC = Path(__file__).with_name("rubric.yaml")
# libyaml's parser where PyYAML has it: every process validates the rubric at start-up
# (TrustConfig.ready), and the pure-Python one took ~15 ms of CPU for it, ~1 ms with libyaml.
# Same resolver and constructor, same data; its nodes carry the same line marks.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PRINCIPLES = ("discoverable", "addressable", "trustworthy", "self_describing", "interoperable", "secure")
MAX_RUBRIC_BYTES = 256 * 1024


class RubricError(ValueError):
    """The rubric file is invalid; ``line`` is where (1-based), when known."""

    def __init__(self, message: str, *, path: Path | None = None, line: int | None = None):
        where = f"{path}:{line}: " if path and line else (f"{path}: " if path else "")
        super().__init__(f"{where}{message}")
        self.line = line


@dataclass(frozen=True)
class Criterion:
    """One rubric line: what is checked, how much it weighs, why it matters, how to fix it."""

    id: str
    principle: str
    weight: float
    threshold: float | None
    explanation: str
    fix: str


@dataclass(frozen=True)
class Level:
    level: int
    min: float
    name: str


@dataclass
class Rubric:
    """The validated rubric; ``digest`` changes whenever its content does."""

    version: int
    levels: list[Level]
    principle_weights: dict[str, float]
    criteria: list[Criterion]
    naming_pattern: str
    digest: str
    path: Path | None = None
    by_principle: dict[str, list[Criterion]] = field(default_factory=dict)

    def __post_init__(self):
        self.by_principle = {p: [c for c in self.criteria if c.principle == p] for p in PRINCIPLES}

    def level_for(self, score: float) -> Level:
        chosen = self.levels[0]
        for level in self.levels:
            if score >= level.min:
                chosen = level
        return chosen

    def criterion(self, criterion_id: str) -> Criterion:
        return next(c for c in self.criteria if c.id == criterion_id)


# --- Loading --------------------------------------------------------------------------


def _lines(node, path=()) -> dict:
    """``{path tuple: line}`` for every mapping key and sequence item of a composed YAML node."""
    out = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = (*path, key.value)
            out[sub] = key.start_mark.line + 1
            out.update({k: v for k, v in _lines(value, sub).items() if k != sub})
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out.update(_lines(item, (*path, i)))
    return out


def parse_rubric(text: str, *, path: Path | None = None, known_criteria=None) -> Rubric:
    """Validate ``text`` as a rubric; raises ``RubricError`` naming the line at fault."""
    if len(text.encode("utf-8")) > MAX_RUBRIC_BYTES:
        raise RubricError(f"the rubric is larger than {MAX_RUBRIC_BYTES} bytes", path=path)
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # a safe loader: CSafeLoader or SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RubricError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path, line=mark.line + 1 if mark else None
        ) from None
    if not isinstance(data, dict):
        raise RubricError("the rubric must be a mapping with levels and principles", path=path, line=1)
    lines = _lines(node)

    def fail(message, *where):
        for depth in range(len(where), -1, -1):
            if where[:depth] in lines:
                raise RubricError(message, path=path, line=lines[where[:depth]])
        raise RubricError(message, path=path)

    if known_criteria is None:
        from apps.trust.criteria import CRITERIA

        known_criteria = CRITERIA
    unknown_keys = set(data) - {"version", "levels", "principles", "naming_pattern"}
    if unknown_keys:
        key = sorted(unknown_keys)[0]
        fail(f"unknown key {key!r}", key)
    levels = _parse_levels(data.get("levels"), fail)
    principles = data.get("principles")
    if not isinstance(principles, dict):
        fail("'principles' must map each DATSIS principle to its weight and criteria", "principles")
    for name in principles:
        if name not in PRINCIPLES:
            fail(f"unknown principle {name!r} (known: {', '.join(PRINCIPLES)})", "principles", name)
    for name in PRINCIPLES:
        if name not in principles:
            fail(f"principle {name!r} is missing", "principles")
    weights, criteria, seen = {}, [], set()
    for name in PRINCIPLES:
        spec = principles[name]
        if not isinstance(spec, dict):
            fail(f"principle {name!r} must have a weight and criteria", "principles", name)
        weights[name] = _number(spec.get("weight"), fail, "principles", name, "weight")
        items = spec.get("criteria")
        if not isinstance(items, list) or not items:
            fail(f"principle {name!r} needs a list of criteria", "principles", name)
        for i, item in enumerate(items):
            where = ("principles", name, "criteria", i)
            if not isinstance(item, dict):
                fail("a criterion is a mapping with id, weight, explanation and fix", *where)
            extra = set(item) - {"id", "weight", "threshold", "explanation", "fix"}
            if extra:
                fail(f"unknown key {sorted(extra)[0]!r} in criterion", *where, sorted(extra)[0])
            cid = item.get("id")
            if cid not in known_criteria:
                fail(f"unknown criterion {cid!r} (known: {', '.join(sorted(known_criteria))})", *where, "id")
            if cid in seen:
                fail(f"criterion {cid!r} appears twice", *where, "id")
            seen.add(cid)
            for text_key in ("explanation", "fix"):
                if not isinstance(item.get(text_key), str) or not item[text_key].strip():
                    fail(f"criterion {cid!r} needs a non-empty {text_key!r}", *where)
            threshold = item.get("threshold")
            if threshold is not None:
                threshold = _number(threshold, fail, *where, "threshold")
            criteria.append(
                Criterion(
                    id=cid,
                    principle=name,
                    weight=_number(item.get("weight"), fail, *where, "weight"),
                    threshold=threshold,
                    explanation=item["explanation"].strip(),
                    fix=item["fix"].strip(),
                )
            )
        total = sum(c.weight for c in criteria if c.principle == name)
        if abs(total - 100) > 1e-6:
            fail(f"the criteria weights of {name!r} add up to {total:g}, not 100", "principles", name, "criteria")
    if abs(sum(weights.values()) - 100) > 1e-6:
        fail(f"the principle weights add up to {sum(weights.values()):g}, not 100", "principles")
    pattern = data.get("naming_pattern", r"^[a-z][a-z0-9_]*$")
    try:
        re.compile(pattern)
    except (re.error, TypeError) as exc:
        fail(f"naming_pattern is not a regular expression: {exc}", "naming_pattern")
    return Rubric(
        version=int(data.get("version", 1)),
        levels=levels,
        principle_weights=weights,
        criteria=criteria,
        naming_pattern=pattern,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        path=path,
    )


def _number(value, fail, *where) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        fail(f"{where[-1]} must be a non-negative number", *where)
    return float(value)


def _parse_levels(levels, fail) -> list[Level]:
    if not isinstance(levels, list) or not levels:
        fail("'levels' must list each level with its minimum score", "levels")
    out = []
    for i, item in enumerate(levels):
        if not isinstance(item, dict) or not isinstance(item.get("level"), int):
            fail("a level is {level: <int>, min: <score>, name: <text>}", "levels", i)
        out.append(Level(item["level"], _number(item.get("min"), fail, "levels", i, "min"), str(item.get("name", ""))))
    if out[0].min != 0:
        fail("the first level must start at min 0", "levels", 0)
    for i in range(1, len(out)):
        if out[i].level != out[i - 1].level + 1 or out[i].min <= out[i - 1].min:
            fail("levels must count up by one with increasing minimum scores", "levels", i)
    return out


_current: Rubric | None = None


def rubric_path() -> Path:
    return Path(getattr(settings, "MESH_TRUST_RUBRIC", "") or DEFAULT_RUBRIC)


def load_rubric(path: Path | None = None) -> Rubric:
    path = path or rubric_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RubricError(f"cannot read the rubric: {exc.strerror}", path=path) from None
    return parse_rubric(text, path=path)


def get_rubric() -> Rubric:
    """The active rubric (loaded once; ``reload_rubric`` after changing the file)."""
    global _current
    if _current is None:
        _current = load_rubric()
    return _current


def reload_rubric() -> Rubric:
    """Load the rubric again; on error the previous one stays active and the error is raised."""
    global _current
    _current = load_rubric()
    return _current


def set_rubric(rubric: Rubric | None) -> None:
    """Install ``rubric`` (tests); ``None`` reloads from the file on next use."""
    global _current
    _current = rubric
