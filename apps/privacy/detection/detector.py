"""Combine name, description, type and sampled-value evidence into suggestions per column."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from apps.privacy.categories import Category
from apps.privacy.detection.rules import match_description, match_name, table_matters
from apps.privacy.detection.values import CONFIRM_SHARE, VALIDATORS, VALUE_ONLY, score_values

SUGGEST_AT = 0.5
MIN_VALUE_ONLY_SAMPLE = 10
# A name hint is dropped when its (strict) validator accepts almost none of the sample:
# "email" holding template names, "phone" holding a phone model. Fuzzy validators (name,
# address, free text) and national ids (only some countries have checksums) never drop.
_STRICT = frozenset(
    {
        Category.EMAIL,
        Category.EMAIL_KEY,
        Category.PHONE,
        Category.PAYMENT_CARD,
        Category.IBAN,
        Category.IP_ADDRESS,
        Category.DATE_OF_BIRTH,
        Category.LOCATION,
    }
)
_DROP_BELOW = 0.2


class ColumnFacts(NamedTuple):
    """What detection knows of a column: no ORM object, so it runs anywhere fast.

    A named tuple, not a dataclass: a harvest builds 100,000 of them, and a frozen
    dataclass's ``__init__`` alone cost 0.3 s of that.
    """

    id: int
    name: str
    data_type: str = ""
    description: str = ""
    is_key: bool = False
    table: str = ""


@dataclass
class Suggestion:
    """One category suggested for one column, with the evidence that produced it."""

    column_id: int
    category: str
    confidence: float
    rule: str
    reason: str
    sampled: int | None = None
    matched: int | None = None


def detect(columns: Iterable[ColumnFacts], samples: dict[int, list[str]] | None = None) -> list[Suggestion]:
    """Suggestions for ``columns``; ``samples`` maps a column id to its sampled values.

    Without values a column's suggestions depend only on its facts other than the id (and
    its table only for the names whose rules read it): a catalog repeats the same columns
    (``id``, ``customer_id``, ``created_at``) thousands of times, so each distinct set of facts
    is judged once and its suggestions are copied to the columns sharing it.
    """
    out: list[Suggestion] = []
    samples = samples or {}
    judged: dict[tuple, list[tuple]] = {}
    for col in columns:
        values = samples.get(col.id)
        if values is not None:
            out += detect_column(col, values)
            continue
        key = (col.name, col.data_type, col.description, col.is_key, col.table if table_matters(col.name) else "")
        found = judged.get(key)
        if found is None:
            found = judged[key] = [
                (s.category, s.confidence, s.rule, s.reason, s.sampled, s.matched) for s in detect_column(col)
            ]
        out += [Suggestion(col.id, *s) for s in found]
    return out


def detect_column(col: ColumnFacts, values: list[str] | None = None) -> list[Suggestion]:
    hints: dict[str, Suggestion] = {}
    for category, confidence, rule in match_name(col.name, col.data_type, col.table, col.is_key):
        hints[category] = Suggestion(col.id, category, confidence, rule, f"column name {col.name!r} ({rule})")
    for category, confidence, rule in match_description(col.description, col.data_type):
        if category in hints:
            hints[category].confidence = min(0.95, hints[category].confidence + 0.1)
            hints[category].reason += "; description agrees"
        else:
            hints[category] = Suggestion(col.id, category, confidence, rule, "description mentions it")
    if values is not None:
        _weigh_samples(col, hints, values)
    return [s for s in hints.values() if s.confidence >= SUGGEST_AT]


def _weigh_samples(col: ColumnFacts, hints: dict[str, Suggestion], values: list[str]) -> None:
    n = len(values)
    if n == 0:
        for s in hints.values():
            s.sampled, s.matched = 0, 0
            s.reason += "; no non-null values to sample"
        return
    for category in list(hints):
        s = hints[category]
        if category not in VALIDATORS:
            s.sampled = n
            continue
        rule, k = score_values(category, values)
        s.sampled, s.matched = n, k
        share = k / n
        if share >= CONFIRM_SHARE:
            s.confidence = max(s.confidence, round(0.85 + 0.14 * share, 3))
            s.rule = rule
            s.reason += f"; {k} of {n} sampled values pass {rule}"
        elif category in _STRICT and share < _DROP_BELOW:
            del hints[category]
        else:
            s.confidence = round(s.confidence * (0.6 + 0.4 * share), 3)
            s.reason += f"; only {k} of {n} sampled values pass {rule}"
    if n < MIN_VALUE_ONLY_SAMPLE:
        return
    for category, need in VALUE_ONLY:
        if category in hints:
            continue
        rule, k = score_values(category, values)
        if k / n >= need:
            hints[category] = Suggestion(
                col.id, category, round(0.8 + 0.15 * (k / n), 3), rule, f"{k} of {n} sampled values pass {rule}", n, k
            )
    if Category.EMAIL in hints and col.is_key and Category.EMAIL_KEY not in hints:
        e = hints[Category.EMAIL]
        hints[Category.EMAIL_KEY] = Suggestion(
            col.id, Category.EMAIL_KEY, e.confidence, e.rule, "e-mail values in a key column", e.sampled, e.matched
        )
