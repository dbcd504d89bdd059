"""What every billing format is read into, and the parsing rules they share."""

import csv
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

import pycountry

MAX_FIELD_CHARS = 100_000  # a Tags cell larger than this is not a billing line
csv.field_size_limit(MAX_FIELD_CHARS)


class BillingFileError(ValueError):
    """The file cannot be imported; ``line`` is the 1-based line of the CSV at fault (0: header)."""

    def __init__(self, message: str, *, line: int = 0, column: str = ""):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column

    def as_dict(self) -> dict:
        return {
            "field": self.column or None,
            "code": "invalid_billing_file",
            "message": self.message,
            "line": self.line,
        }


@dataclass(slots=True)
class BillingLine:
    """One charge, normalised: money as Decimal in ``currency``, periods as UTC datetimes."""

    line_number: int
    billing_period: date
    charge_start: datetime
    charge_end: datetime | None
    charge_category: str
    service_name: str
    resource_id: str
    region: str
    account: str
    billed_cost: Decimal
    effective_cost: Decimal
    currency: str
    tags: dict = field(default_factory=dict)

    @property
    def month(self) -> date:
        return self.charge_start.date().replace(day=1)


_KNOWN_CURRENCIES = {c.alpha_3 for c in pycountry.currencies}


def dict_rows(stream, required: set[str], format_name: str) -> Iterator[tuple[int, dict]]:
    """(line number, row) for each data row; refuses a header without the required columns."""
    reader = csv.DictReader(stream)
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise BillingFileError(f"Not a CSV file: {exc}", line=1) from None
    missing = sorted(required - set(header))
    if missing:
        raise BillingFileError(
            f"This is not a {format_name} file: the header lacks {', '.join(missing)}.", line=1, column=missing[0]
        )
    try:
        for row in reader:
            if None in row:  # more cells than header columns
                raise BillingFileError("The row has more cells than the header has columns.", line=reader.line_num)
            yield reader.line_num, row
    except csv.Error as exc:
        raise BillingFileError(f"Malformed CSV: {exc}", line=reader.line_num) from None


def money(value: str, *, line: int, column: str) -> Decimal:
    text = (value or "").strip()
    if not text:
        return Decimal(0)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise BillingFileError(f"{column} is not a number: {text[:40]!r}.", line=line, column=column) from None
    if not amount.is_finite() or abs(amount) >= Decimal(10) ** 14:
        raise BillingFileError(f"{column} is out of range: {text[:40]!r}.", line=line, column=column)
    return amount


def currency(value: str, *, line: int, column: str) -> str:
    code = (value or "").strip().upper()
    if code not in _KNOWN_CURRENCIES:
        raise BillingFileError(f"{column} {value[:10]!r} is not an ISO 4217 currency code.", line=line, column=column)
    return code


def timestamp(value: str, *, line: int, column: str, required: bool = True) -> datetime | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise BillingFileError(f"{column} is empty.", line=line, column=column)
        return None
    try:
        return _parse_timestamp(text)
    except ValueError:
        raise BillingFileError(f"{column} is not a date/time: {text[:40]!r}.", line=line, column=column) from None


@functools.lru_cache(maxsize=4096)
def _parse_timestamp(text: str) -> datetime:
    """Billing exports repeat a few hundred distinct periods over millions of lines: parse each once."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def tag_map(value: str, *, line: int, column: str) -> dict:
    """A JSON object of tags; keys and values as strings (CUR prefixes user tags with ``user_``).

    The same tag set recurs on most lines, so each distinct text is parsed once and the one
    dict is shared by every line that carries it: readers must not mutate it.
    """
    text = (value or "").strip()
    if not text:
        return _NO_TAGS
    try:
        return _parse_tags(text)
    except ValueError:
        raise BillingFileError(f"{column} is not a JSON object.", line=line, column=column) from None


_NO_TAGS: dict = {}


@functools.lru_cache(maxsize=4096)
def _parse_tags(text: str) -> dict:
    tags = json.loads(text)
    if not isinstance(tags, dict):
        raise ValueError("not an object")
    return {str(k)[:200]: str(v)[:500] for k, v in tags.items()}
