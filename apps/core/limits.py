"""Size and count limits every interface shares (web, GraphQL, REST, YAML, harvest).

The limits are settings (README "Configuration"); the actions call these checks before
they write, so a 20 MB description or a 10,000-port product is refused with a clear
error by every way in, not only by the one that happened to be attacked.
"""

from django.conf import settings

from apps.core.errors import ActionError


class LimitError(ActionError):
    """A value is over one of the documented limits (answered as a 400 with code ``too_long``/``too_many``)."""

    code = "too_long"


def check_text(field: str, value, *, limit: int | None = None) -> None:
    limit = settings.MESH_MAX_DESCRIPTION_CHARS if limit is None else limit
    if isinstance(value, str) and len(value) > limit:
        raise LimitError(
            f"{field.replace('_', ' ').capitalize()} is {len(value):,} characters long; the limit is {limit:,}"
            " (MESH_MAX_DESCRIPTION_CHARS).",
            field=field,
            code="too_long",
        )


def check_count(field: str, count: int, limit: int, setting: str, what: str) -> None:
    if count > limit:
        raise LimitError(f"At most {limit:,} {what} ({setting}); got {count:,}.", field=field, code="too_many")
