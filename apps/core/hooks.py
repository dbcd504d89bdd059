"""After-commit notifications that decouple writers from the apps that react to writes.

``actions.py`` calls ``objects_changed(model, pks)`` inside its transaction; listeners
(search indexing, webhooks) registered from ``AppConfig.ready()`` run once the transaction
commits, so nothing reacts to a write that was rolled back.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction

# listener(model class, primary keys of its changed rows)
ChangeListener = Callable[[type, list[Any]], None]

_listeners: list[ChangeListener] = []


def register_change_listener(listener: ChangeListener) -> None:
    """``listener(model, pks)`` runs after every transaction that changed rows of ``model``."""
    if listener in _listeners:
        raise ValueError(f"change listener {listener!r} is already registered")
    _listeners.append(listener)


def objects_changed(model: type, pks: Iterable[Any]) -> None:
    """Tell the listeners, once the current transaction commits, that ``pks`` of ``model`` changed."""
    changed = [pk for pk in pks if pk is not None]
    if not changed or not _listeners:
        return

    def notify() -> None:
        for listener in list(_listeners):
            listener(model, changed)

    transaction.on_commit(notify)
