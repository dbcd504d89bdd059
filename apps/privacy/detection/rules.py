"""Name, description and type rules: which columns look like personal data, and why.

Pure functions over plain values (no ORM), so that 100,000 columns are classified in well
under a second and the rules are tested without a database. Names are split into words
the same way for ``customerEmail``, ``customer_email`` and ``CUSTOMER-EMAIL``; patterns
cover English and the common European languages (de, fr, es, it, nl, pt, pl, sv).
"""

import re
from functools import lru_cache

from apps.privacy.categories import Category
from apps.privacy.detection.name_rules import _ID, NAME_RULES, PERSON_TABLES, NameRule
from apps.privacy.detection.types import (
    BINARY,
    BOOLEAN,
    GEO,
    INET,
    TEXT,
    UNKNOWN,
    type_allows,
    type_class,
)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|[^A-Za-z0-9]+")


@lru_cache(maxsize=200_000)
def words(name: str) -> tuple[str, ...]:
    """``customerEMail_2`` → ("customer", "email", "2")."""
    parts = [p.lower() for p in _CAMEL.split(name or "") if p]
    out: list[str] = []
    for part in parts:
        out.append(part)
    # glue "e mail" back together so that e_mail and e-mail are one word
    joined: list[str] = []
    for w in out:
        if joined and joined[-1] == "e" and w == "mail":
            joined[-1] = "email"
        else:
            joined.append(w)
    return tuple(joined)


def _ngrams(ws: tuple[str, ...]) -> set[tuple[str, ...]]:
    return {ws[i : i + n] for n in (1, 2, 3) for i in range(len(ws) - n + 1)}


def _index_rules() -> dict[str, tuple[int, ...]]:
    """word -> positions in NAME_RULES of the rules that word (or a phrase with it) can trigger."""
    index: dict[str, list[int]] = {}
    for i, rule in enumerate(NAME_RULES):
        for w in _rule_words(rule):
            index.setdefault(w, []).append(i)
    return {w: tuple(dict.fromkeys(ids)) for w, ids in index.items()}


def match_name(name: str, data_type: str, table: str = "", is_key: bool = False) -> tuple[tuple[str, float, str], ...]:
    """(category, confidence, rule) for what the name and type say, best first.

    ``table`` only matters for a bare ``name`` column, so it stays out of the cache key.
    """
    found = _match_name(name, data_type, is_key)
    bare = not found and table and table_matters(name) and type_class(data_type) in (TEXT, UNKNOWN)
    if bare and set(words(table)) & PERSON_TABLES:
        return ((Category.NAME, 0.7, "name:name_in_person_table"),)
    return found


def table_matters(name: str) -> bool:
    """Whether ``match_name`` of ``name`` can depend on its table: only a bare ``name`` column's does."""
    return words(name) == ("name",)


@lru_cache(maxsize=200_000)
def _match_name(name: str, data_type: str, is_key: bool) -> tuple[tuple[str, float, str], ...]:
    """Cached: a catalog repeats the same names (``customer_id``, ``email``) thousands of times."""
    ws = words(name)
    if not ws:
        return ()
    tclass = type_class(data_type)
    if tclass in (BOOLEAN, BINARY):
        return ()  # email_sent booleans, photo blobs: never one of our categories by name
    wset = set(ws)
    glued = "".join(ws)
    candidates = sorted({i for w in (*wset, glued) for i in _RULE_INDEX.get(w, ())})
    grams = _ngrams(ws) if candidates else set()
    found: list[tuple[str, float, str]] = []
    for i in candidates:
        rule = NAME_RULES[i]
        hit = bool(wset & rule.words) or glued in rule.words or bool(grams & _PHRASES[i])
        if not hit:
            continue
        blockers = (wset - _RULE_WORDS[i]) & rule.unless
        if blockers:
            continue
        if _is_reference(rule.category, ws):
            continue
        if not type_allows(rule.category, data_type):
            continue
        found.append((rule.category, rule.confidence, rule.rule))
    if tclass == INET and not any(c == Category.IP_ADDRESS for c, _, _ in found):
        found.append((Category.IP_ADDRESS, 0.8, "type:inet"))
    if tclass == GEO and not any(c == Category.LOCATION for c, _, _ in found):
        found.append((Category.LOCATION, 0.7, "type:geo"))
    emails = [f for f in found if f[0] == Category.EMAIL]
    if emails and is_key:
        found.append((Category.EMAIL_KEY, 0.8, "name:email+key"))
    # a more specific category wins over a generic one (ip_address over address)
    cats = {c for c, _, _ in found}
    if Category.IP_ADDRESS in cats or Category.EMAIL in cats:
        found = [f for f in found if f[0] != Category.ADDRESS]
    if Category.NAME in cats and (Category.CUSTOMER_ID in cats or Category.USER_ID in cats):
        found = [f for f in found if f[0] != Category.NAME]
    return tuple(sorted(found, key=lambda f: -f[1]))


def _is_reference(category: str, ws: tuple[str, ...]) -> bool:
    """email_id, phone_number_id, address_id: a reference to a row, not the value itself."""
    if category in (Category.CUSTOMER_ID, Category.USER_ID) or ws[-1] not in _ID:
        return False
    numbered = category in _NUMBERED or category == Category.NATIONAL_ID
    return not (ws[-1] in {"number", "no", "nr", "code"} and numbered)


_NUMBERED = frozenset({Category.PHONE, Category.PAYMENT_CARD, Category.IBAN, Category.ADDRESS})


def _rule_words(rule: NameRule) -> frozenset:
    return rule.words | frozenset(w for p in rule.phrases for w in p)


# per rule, by position (hashing the frozen rule dataclass on every lookup was the hot spot)
_RULE_WORDS = tuple(_rule_words(r) for r in NAME_RULES)
_PHRASES = tuple(frozenset(r.phrases) for r in NAME_RULES)
_RULE_INDEX = _index_rules()


# --- descriptions ------------------------------------------------------------------------

_DESCRIPTION_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    (Category.EMAIL, re.compile(r"\b(e-?mail address|adresse e-?mail|correo electr[oó]nico|e-?mail-adresse)\b", re.I)),
    (
        Category.PHONE,
        re.compile(r"\b(phone number|telephone|mobile number|telefonnummer|num[eé]ro de t[eé]l[eé]phone)\b", re.I),
    ),
    (Category.DATE_OF_BIRTH, re.compile(r"\b(date of birth|birth ?date|geburtsdatum|date de naissance)\b", re.I)),
    (Category.NATIONAL_ID, re.compile(r"\b(social security|national (id|insurance)|passport number|tax id)\b", re.I)),
    (
        Category.ADDRESS,
        re.compile(r"\b(postal address|street address|home address|billing address|shipping address)\b", re.I),
    ),
    (Category.NAME, re.compile(r"\b(first name|last name|full name|surname|given name)\b", re.I)),
    (Category.PAYMENT_CARD, re.compile(r"\b(credit card|card number|payment card|\bPAN\b)\b", re.I)),
    (Category.IBAN, re.compile(r"\bIBAN\b|\bbank account number\b", re.I)),
)
# Every pattern at once: most descriptions mention none, and one scan tells (40,000 dbt
# descriptions were scanned eight times each, a third of a first harvest's detection).
_ANY_DESCRIPTION = re.compile("|".join(f"(?:{p.pattern})" for _, p in _DESCRIPTION_PATTERNS), re.I)
_DESCRIPTION_NEGATIONS = re.compile(r"\b(hash(ed)? of|whether|flag|count of|number of|anonymi[sz]ed|masked)\b", re.I)


def match_description(description: str, data_type: str) -> list[tuple[str, float, str]]:
    if not description or type_class(data_type) in (BOOLEAN, BINARY):
        return []
    text = description[:2000]
    if not _ANY_DESCRIPTION.search(text) or _DESCRIPTION_NEGATIONS.search(text):
        return []
    return [
        (category, 0.65, f"description:{category}")
        for category, pattern in _DESCRIPTION_PATTERNS
        if pattern.search(text) and type_allows(category, data_type)
    ]
