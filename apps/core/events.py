"""Emitting catalog events: one function every app calls from its ``actions``.

``emit()`` writes an ``Event`` row in the caller's transaction (the outbox) and, once that
transaction commits, tells the listeners registered with ``register_event_listener`` (the
events app routes and delivers from there). A write that rolls back therefore emits
nothing, and delivery can always be replayed from the table.

Event types are declared once in ``EVENT_TYPES`` (from an ``AppConfig.ready()``), so the
inbox preferences, webhook filters and API can list and validate them; emitting an
undeclared type is a programming error.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction

from apps.core.actors import actor_label
from apps.core.registry import Registry

if TYPE_CHECKING:
    from apps.core.models import Event


@dataclass(frozen=True)
class EventType:
    """A declared event type: ``mesh.<thing>.<happened>`` and what it means to a person."""

    name: str
    description: str
    version: int = 1
    #: routed to the downstream (consumers through ports, lineage, grant holders, lab users)
    downstream: bool = False


EVENT_TYPES: Registry[str, EventType] = Registry("event types")
_listeners: list[Callable[[list[int]], None]] = []


def register_event_type(name: str, description: str, *, version: int = 1, downstream: bool = False) -> EventType:
    """Declare ``mesh.<thing>.<happened>`` once, from an ``AppConfig.ready()``; a duplicate is an error."""
    if not name.startswith("mesh.") or name.count(".") != 2:
        raise ValueError(f"event type {name!r} must be named mesh.<thing>.<happened>")
    return EVENT_TYPES.register(name, EventType(name, description, version, downstream))


def register_event_listener(listener: Callable[[list[int]], None]) -> None:
    """``listener(event_ids)`` runs after the emitting transaction commits."""
    if listener in _listeners:
        raise ValueError(f"event listener {listener!r} is already registered")
    _listeners.append(listener)


def emit(
    type: str,
    *,
    subject: str,
    data: dict[str, Any] | None = None,
    actor: Any = None,
    domain: str = "",
    product: str = "",
) -> "Event":
    """Record that ``type`` happened to ``subject``; listeners hear of it after commit."""
    from apps.core.models import Event

    event_type = EVENT_TYPES.get_or_error(type)
    user = actor if getattr(actor, "pk", None) and not getattr(actor, "is_system", False) else None
    event = Event.objects.create(
        type=type,
        version=event_type.version,
        subject=subject[:300],
        data=data or {},
        actor=user,
        actor_label=actor_label(actor) if actor is not None else "",
        domain_slug=domain or "",
        product_slug=product or "",
    )
    _notify_after_commit([event.pk])
    return event


def emit_many(events: list[dict[str, Any]]) -> list["Event"]:
    """Bulk ``emit`` for set-based writers (a harvest's schema changes): one INSERT."""
    from apps.core.models import Event

    rows = []
    for spec in events:
        event_type = EVENT_TYPES.get_or_error(spec["type"])
        rows.append(
            Event(
                type=spec["type"],
                version=event_type.version,
                subject=spec["subject"][:300],
                data=spec.get("data") or {},
                actor_label=spec.get("actor_label", ""),
                domain_slug=spec.get("domain", ""),
                product_slug=spec.get("product", ""),
            )
        )
    if not rows:
        return []
    created = Event.objects.bulk_create(rows, batch_size=1000)
    ids = [e.pk for e in created if e.pk is not None]
    if len(ids) != len(created):  # backends that do not return ids from a bulk insert
        uids = [e.uid for e in created]
        ids = list(Event.objects.filter(uid__in=uids).values_list("pk", flat=True))
    _notify_after_commit(ids)
    return created


def _notify_after_commit(ids: list[int]) -> None:
    if not _listeners or not ids:
        return

    def notify() -> None:
        for listener in list(_listeners):
            listener(ids)

    transaction.on_commit(notify)
