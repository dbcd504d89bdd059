"""The common steps of every logged write: validate, save, record history, notify.

``apps.<app>.actions`` check permissions and domain rules, then call these so that no
write forgets its history entry or its after-commit notification.
"""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from apps.core.errors import ActionError, PermissionDeniedError
from apps.core.history import record_change
from apps.core.hooks import objects_changed
from apps.core.models import ChangeAction, ChangeLoggedModel

Logged = TypeVar("Logged", bound=ChangeLoggedModel)


def require(allowed: bool, message: str = "You are not allowed to make this change.") -> None:
    """Refuse the write with ``PermissionDeniedError(message)`` unless ``allowed``."""
    if not allowed:
        raise PermissionDeniedError(message)


def validate(obj: models.Model, exclude: Iterable[str] | None = None) -> None:
    """Run the model's field, uniqueness and constraint checks; raise ``ActionError`` with every problem."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)
    except ValidationError as exc:
        raise ActionError.from_validation_error(exc) from None


def save_logged(
    actor: Any,
    obj: Logged,
    *,
    via: str,
    before: dict[str, Any] | None = None,
    after_save: Callable[[Logged], object] | None = None,
) -> Logged:
    """Validate and save ``obj``, apply ``after_save(obj)`` (m2m), record the change."""
    creating = obj.pk is None
    validate(obj, exclude=[f.name for f in obj._meta.many_to_many])
    obj.save()
    if after_save is not None:
        after_save(obj)
    record_change(
        actor,
        obj,
        ChangeAction.CREATE if creating else ChangeAction.UPDATE,
        before=None if creating else before,
        after=obj.history_snapshot(),
        via=via,
    )
    objects_changed(type(obj), [obj.pk])
    parent = obj.history_parent()
    if parent is not None:
        objects_changed(type(parent), [parent.pk])
    return obj


def delete_logged(actor: Any, obj: ChangeLoggedModel, *, via: str) -> None:
    """Delete ``obj``, recording its last state in the change log, and notify after commit."""
    before = obj.history_snapshot()
    pk = obj.pk
    parent = obj.history_parent()
    obj.delete()
    obj.pk = pk  # the change log still names the row that was deleted
    record_change(actor, obj, ChangeAction.DELETE, before=before, after=None, via=via)
    objects_changed(type(obj), [pk])
    if parent is not None:
        objects_changed(type(parent), [parent.pk])
