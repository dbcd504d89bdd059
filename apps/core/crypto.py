"""Encryption of secrets at rest (Fernet, keyed by FIELD_ENCRYPTION_KEY).

``cryptography`` is imported when a secret is encrypted or decrypted, not with the models
that declare the field (every process imports them; a source without secrets never needs it).
"""

from django.conf import settings
from django.db import models


def _fernet():
    from cryptography.fernet import Fernet

    return Fernet(settings.FIELD_ENCRYPTION_KEY.encode())


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    from cryptography.fernet import InvalidToken

    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("stored secret cannot be decrypted with the configured FIELD_ENCRYPTION_KEY") from None


class EncryptedJSONField(models.TextField):
    """A dict of secrets stored encrypted; reads decrypt, writes encrypt.

    Never render this field: pages and APIs show only which keys are set.
    """

    def from_db_value(self, value, expression, connection):
        import json

        if value in (None, ""):
            return {}
        return json.loads(decrypt(value))

    def to_python(self, value):
        return value if isinstance(value, dict) else ({} if value in (None, "") else value)

    def get_prep_value(self, value):
        import json

        if not value:
            return ""
        return encrypt(json.dumps(value, sort_keys=True))
