"""The personal-data categories and subject identifiers a column can be tagged with.

Categories say *what* personal data a column holds; subject identifiers say *whose* record
a row is (the keys a right-to-be-forgotten request starts from). ``email`` is both: a
category and, where a table is keyed by it, an identifier (``email_key``).
"""

from django.db import models


class Category(models.TextChoices):
    EMAIL = "email", "E-mail address"
    NAME = "name", "Person name"
    PHONE = "phone", "Phone number"
    ADDRESS = "address", "Postal address"
    NATIONAL_ID = "national_id", "National id"
    PAYMENT_CARD = "payment_card", "Payment card number"
    IBAN = "iban", "IBAN"
    DATE_OF_BIRTH = "date_of_birth", "Date of birth"
    IP_ADDRESS = "ip_address", "IP address"
    LOCATION = "location", "Precise location"
    FREE_TEXT = "free_text", "Free text that may hold personal data"
    # subject identifiers
    CUSTOMER_ID = "customer_id", "Customer id (subject identifier)"
    USER_ID = "user_id", "User id (subject identifier)"
    EMAIL_KEY = "email_key", "E-mail as key (subject identifier)"


SUBJECT_IDENTIFIERS = frozenset({Category.CUSTOMER_ID, Category.USER_ID, Category.EMAIL_KEY})
PERSONAL_DATA = frozenset(c for c in Category.values if c not in SUBJECT_IDENTIFIERS)


def tag_for(category: str) -> str:
    """The column tag shown on pages and searched: ``pii:email``, ``subject:customer_id``."""
    return f"{'subject' if category in SUBJECT_IDENTIFIERS else 'pii'}:{category}"


def is_personal(category: str) -> bool:
    return category in PERSONAL_DATA or category == Category.EMAIL_KEY
