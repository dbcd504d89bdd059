"""Writes owned by the core app: personal access tokens.

A token is created for its user (by the user in their profile, or by an operator with
``manage.py create_token``); the raw value is returned once and never stored.
"""

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apps.core.actors import is_admin
from apps.core.errors import ActionError
from apps.core.history import record_change
from apps.core.models import ChangeAction, PersonalAccessToken
from apps.core.models.token import hash_token
from apps.core.writes import require

TOKEN_PREFIX = "mesh_"
MAX_EXPIRY_DAYS = 3650


def _snapshot(token: PersonalAccessToken) -> dict:
    return {
        "user": token.user_id,
        "name": token.name,
        "prefix": token.prefix,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


def create_token(
    user, *, name: str, expires_days: int | None = None, via: str = "web"
) -> tuple[PersonalAccessToken, str]:
    """Create a token for ``user``; returns (token row, raw token). Show the raw token once."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_system", False) or user.pk is None:
        raise ActionError("Tokens belong to a person: log in first.", code="permission_denied")
    if not user.is_active:
        raise ActionError("An inactive user cannot hold tokens.", field="user", code="inactive")
    name = (name or "").strip()
    if not name:
        raise ActionError("Give the token a name so you can recognise it later.", field="name", code="required")
    if len(name) > 100:
        raise ActionError("A token name has at most 100 characters.", field="name", code="max_length")
    if expires_days is not None and not (1 <= int(expires_days) <= MAX_EXPIRY_DAYS):
        raise ActionError(f"Expiry must be between 1 and {MAX_EXPIRY_DAYS} days.", field="expires_days", code="invalid")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = PersonalAccessToken.objects.create(
            user=user,
            name=name,
            token_hash=hash_token(raw),
            prefix=raw[: len(TOKEN_PREFIX) + 6],
            expires_at=timezone.now() + timedelta(days=int(expires_days)) if expires_days else None,
        )
        record_change(user, token, ChangeAction.CREATE, after=_snapshot(token), via=via)
    return token, raw


def revoke_token(user, token: PersonalAccessToken, *, via: str = "web") -> PersonalAccessToken:
    """Revoke ``token`` (its owner or an admin). Revoking twice is a no-op."""
    require(
        is_admin(user) or (getattr(user, "pk", None) is not None and token.user_id == user.pk),
        "You can only revoke your own tokens.",
    )
    with transaction.atomic():
        token = PersonalAccessToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        before = _snapshot(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_change(user, token, ChangeAction.UPDATE, before=before, after=_snapshot(token), via=via)
    return token
