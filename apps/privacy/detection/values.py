"""Validators for sampled values: which of up to 100 values really are e-mails, phones, …

Each validator takes one string and says yes or no; ``score_values`` counts the yeses so
that only counts and the rule's name are ever stored, never a value. Well-kept libraries
do the hard parts: ``phonenumbers`` (Google's libphonenumber), ``python-stdnum`` (Luhn,
IBAN mod-97, national id checksums).
"""

import ipaddress
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime

import phonenumbers
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.de import idnr as de_idnr
from stdnum.es import dni as es_dni
from stdnum.fr import nir as fr_nir
from stdnum.it import codicefiscale as it_cf
from stdnum.nl import bsn as nl_bsn
from stdnum.pl import pesel as pl_pesel
from stdnum.us import ssn as us_ssn

from apps.privacy.categories import Category

MAX_VALUE_CHARS = 256  # the sampling query truncates longer values; longer ones are free text

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
)
_DIGITS = re.compile(r"[\s-]")
_DECIMAL = re.compile(r"^-?\d{1,3}\.(\d+)$")


def is_email(v: str) -> bool:
    return len(v) <= 254 and bool(_EMAIL.match(v))


_PHONE_REGIONS = ("US", "GB", "DE", "FR", "ES", "IT", "NL")


def is_phone(v: str) -> bool:
    """A valid number for its country (international form, or national in a common region)."""
    digits = sum(c.isdigit() for c in v)
    if not 6 <= len(v) <= 25 or digits < 7 or re.search(r"[A-Za-z]", v.replace("ext", "").replace("x", "")):
        return False
    regions = (None,) if v.startswith(("+", "00")) else _PHONE_REGIONS
    for region in regions:
        try:
            number = phonenumbers.parse(v, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True
    return False


def is_card(v: str) -> bool:
    digits = _DIGITS.sub("", v)
    return digits.isdigit() and 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn.is_valid(digits)


def is_iban(v: str) -> bool:
    return 15 <= len(v.replace(" ", "")) <= 34 and std_iban.is_valid(v)


_NATIONAL = (us_ssn, de_idnr, fr_nir, nl_bsn, es_dni, it_cf, pl_pesel)


def is_national_id(v: str) -> bool:
    if len(v) > 30:
        return False
    return any(module.is_valid(v) for module in _NATIONAL)


def is_ip(v: str) -> bool:
    if not 3 <= len(v) <= 45 or ("." not in v and ":" not in v):
        return False
    try:
        ipaddress.ip_interface(v) if "/" in v else ipaddress.ip_address(v)
    except ValueError:
        return False
    return True


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%Y/%m/%d")


def _as_date(v: str) -> date | None:
    text = v.strip()[:10]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def is_birth_date(v: str) -> bool:
    """A plausible date of birth: a calendar date between 110 years ago and today."""
    d = _as_date(v)
    if d is None:
        return False
    today = date.today()
    return date(today.year - 110, 1, 1) <= d <= today


def is_precise_coordinate(v: str) -> bool:
    """A latitude/longitude with at least 4 decimals (~10 m): precise enough to locate a home."""
    m = _DECIMAL.match(v.strip())
    return bool(m) and len(m.group(1)) >= 4 and abs(float(v)) <= 180


def is_person_name(v: str) -> bool:
    """Shape of a person's name: 1–4 capitalised words of letters (no digits, no @)."""
    parts = v.split()
    return 1 <= len(parts) <= 4 and all(
        p[:1].isupper() and p.replace("-", "").replace("'", "").isalpha() for p in parts
    )


def is_address(v: str) -> bool:
    """A street line or a postal code: letters with a house number, or a 4–10 char code."""
    has_digit, has_alpha = any(c.isdigit() for c in v), any(c.isalpha() for c in v)
    return (has_digit and has_alpha and " " in v) or bool(re.fullmatch(r"[A-Z0-9][A-Z0-9 -]{2,9}", v.strip(), re.I))


def is_free_text(v: str) -> bool:
    return len(v) >= 15 and " " in v


VALIDATORS: dict[str, tuple[str, Callable[[str], bool]]] = {
    Category.EMAIL: ("value:email", is_email),
    Category.EMAIL_KEY: ("value:email", is_email),
    Category.PHONE: ("value:phonenumbers", is_phone),
    Category.PAYMENT_CARD: ("value:luhn", is_card),
    Category.IBAN: ("value:iban_mod97", is_iban),
    Category.NATIONAL_ID: ("value:stdnum_national_id", is_national_id),
    Category.IP_ADDRESS: ("value:ip", is_ip),
    Category.DATE_OF_BIRTH: ("value:birth_date", is_birth_date),
    Category.LOCATION: ("value:coordinate", is_precise_coordinate),
    Category.NAME: ("value:name_shape", is_person_name),
    Category.ADDRESS: ("value:address_shape", is_address),
    Category.FREE_TEXT: ("value:free_text", is_free_text),
}

# Categories recognised from values alone (no name hint), with the share of values that
# must pass: strict, because a column of order numbers passes Luhn one time in ten.
VALUE_ONLY = (
    (Category.EMAIL, 0.9),
    (Category.IBAN, 0.9),
    (Category.PAYMENT_CARD, 0.95),
    (Category.IP_ADDRESS, 0.95),
)
# A name hint is confirmed when at least this share of the sample passes its validator.
CONFIRM_SHARE = 0.6


def score_values(category: str, values: Iterable[str]) -> tuple[str, int]:
    """(rule, how many of ``values`` pass ``category``'s validator)."""
    rule, check = VALIDATORS[category]
    return rule, sum(1 for v in values if check(v))
