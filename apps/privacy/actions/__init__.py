"""Every write of the privacy app (pages, REST, GraphQL, commands and tasks call these)."""

from apps.privacy.actions.classifications import (
    classify_column,
    decide,
    detect_pii,
    mark_anonymised,
    refresh_derived,
    unmark_anonymised,
)
from apps.privacy.actions.forget import open_request, settle_task
from apps.privacy.actions.grants import allow_personal_data, revoke_personal_data

__all__ = [
    "allow_personal_data",
    "classify_column",
    "decide",
    "detect_pii",
    "mark_anonymised",
    "open_request",
    "refresh_derived",
    "revoke_personal_data",
    "settle_task",
    "unmark_anonymised",
]
