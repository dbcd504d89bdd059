from apps.core.models.change_log import ChangeAction, ObjectChange
from apps.core.models.event import Event
from apps.core.models.features import ChangeLoggedModel, TimestampedModel
from apps.core.models.token import PersonalAccessToken

__all__ = [
    "ChangeAction",
    "ChangeLoggedModel",
    "Event",
    "ObjectChange",
    "PersonalAccessToken",
    "TimestampedModel",
]
