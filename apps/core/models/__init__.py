from apps.core.models.change_log import ChangeAction, ObjectChange
from apps.core.models.features import ChangeLoggedModel, TimestampedModel

__all__ = ["ChangeAction", "ChangeLoggedModel", "ObjectChange", "TimestampedModel"]
