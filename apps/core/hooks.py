"""After-commit notifications that decouple writers from the apps that react to writes.

``actions.py`` calls ``objects_changed(model, pks)`` inside its transaction; listeners
(search indexing, webhooks) registered from ``AppConfig.ready()`` run once the transaction
commits, so nothing reacts to a write that was rolled back.
"""

from collections.abc import Callable, Iterable

from django.db import transaction

_listeners: list[Callable[[type, list], None]] = []


def register_change_listener(listener: Callable[[type, list], None]) -> None:
    if listener in _listeners:
        raise ValueError(f"change listener {listener!r} is already registered")
    _listeners.append(listener)


def objects_changed(model: type, pks: Iterable) -> None:
    pks = [pk for pk in pks if pk is not None]
    if not pks or not _listeners:
        return

    def notify():
        for listener in list(_listeners):
            listener(model, pks)

    transaction.on_commit(notify)
