"""Type classes: a column's declared type, reduced to what detection cares about."""

import re
from functools import lru_cache

from apps.privacy.categories import Category

# --- type classes ------------------------------------------------------------------------

TEXT, INTEGER, DECIMAL, DATE, BOOLEAN, BINARY, UUID, JSON, INET, GEO, UNKNOWN = (
    "text",
    "integer",
    "decimal",
    "date",
    "boolean",
    "binary",
    "uuid",
    "json",
    "inet",
    "geo",
    "unknown",
)


@lru_cache(maxsize=4096)
def type_class(data_type: str) -> str:
    t = (data_type or "").lower().strip()
    if not t:
        return UNKNOWN
    if t.startswith(("bool", "bit")) or t == "boolean":
        return BOOLEAN
    if t.startswith(("bytea", "blob", "binary", "varbinary", "longblob", "image")):
        return BINARY
    if t.startswith("uuid"):
        return UUID
    if t.startswith(("json", "jsonb", "struct", "map", "array", "variant", "object")) or t.endswith("[]"):
        return JSON
    if t.startswith(("inet", "cidr")):
        return INET
    if t.startswith(("point", "geography", "geometry")):
        return GEO
    if t.startswith(("date", "timestamp", "time", "datetime")):
        return DATE
    if t.startswith(("int", "bigint", "smallint", "tinyint", "serial", "bigserial", "long", "short")):
        return INTEGER
    if t.startswith(("numeric", "decimal", "number")):
        return INTEGER if re.search(r"\(\s*\d+\s*(,\s*0\s*)?\)", t) or t in ("numeric", "number") else DECIMAL
    if t.startswith(("real", "double", "float")):
        return DECIMAL
    if t.startswith(("char", "varchar", "text", "string", "character", "nvarchar", "nchar", "citext", "clob", "name")):
        return TEXT
    return UNKNOWN


_ALLOWED_TYPES = {
    Category.EMAIL: {TEXT, UNKNOWN},
    Category.NAME: {TEXT, UNKNOWN},
    Category.PHONE: {TEXT, INTEGER, UNKNOWN},
    Category.ADDRESS: {TEXT, UNKNOWN, JSON},
    Category.NATIONAL_ID: {TEXT, INTEGER, UNKNOWN},
    Category.PAYMENT_CARD: {TEXT, INTEGER, UNKNOWN},
    Category.IBAN: {TEXT, UNKNOWN},
    Category.DATE_OF_BIRTH: {DATE, TEXT, UNKNOWN},
    Category.IP_ADDRESS: {TEXT, INET, UNKNOWN},
    Category.LOCATION: {DECIMAL, TEXT, GEO, UNKNOWN},
    Category.FREE_TEXT: {TEXT, UNKNOWN},
    Category.CUSTOMER_ID: {INTEGER, TEXT, UUID, UNKNOWN},
    Category.USER_ID: {INTEGER, TEXT, UUID, UNKNOWN},
    Category.EMAIL_KEY: {TEXT, UNKNOWN},
}


def type_allows(category: str, data_type: str) -> bool:
    return type_class(data_type) in _ALLOWED_TYPES.get(category, {TEXT, UNKNOWN})
