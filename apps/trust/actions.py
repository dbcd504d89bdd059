"""Every write of the trust app: incidents opened, updated and resolved, by owners or automatically.

Owners (product, domain) and admins open and resolve incidents; system actors (the
automatic incident sync) pass every check. Each write records history through
``apps.core.writes`` and emits its event in the same transaction.
"""

from django.db import transaction
from django.utils import timezone

from apps.catalog.permissions import can_edit_product
from apps.core.actors import actor_label
from apps.core.errors import ActionError
from apps.core.events import emit
from apps.core.writes import require, save_logged
from apps.trust.models import Incident, IncidentCause, IncidentUpdate, Severity

MAX_MESSAGE = 10_000
MAX_TITLE = 200


def _user(actor):
    return actor if getattr(actor, "pk", None) and not getattr(actor, "is_system", False) else None


def _clean_text(value, *, field: str, limit: int, required: bool = False) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise ActionError(f"{field} must be text.", field=field)
    if required and not text:
        raise ActionError(f"Give the incident a {field}.", field=field, code="required")
    if len(text) > limit:
        raise ActionError(f"{field} is longer than {limit} characters.", field=field, code="too_long")
    return text


def _severity(value) -> str:
    if value not in Severity.values:
        raise ActionError(
            f"Severity must be one of {', '.join(Severity.values)}.", field="severity", code="invalid_choice"
        )
    return value


def _event(kind: str, incident: Incident, actor, **data) -> None:
    product = incident.product
    emit(
        f"mesh.incident.{kind}",
        subject=f"product:{product.slug}",
        data={
            "incident": incident.pk,
            "title": incident.title,
            "severity": incident.severity,
            "cause": incident.cause,
            **data,
        },
        actor=actor,
        domain=product.domain.slug,
        product=product.slug,
    )


def open_incident(
    actor,
    product,
    *,
    title,
    severity: str = Severity.MAJOR,
    message: str = "",
    cause: str = IncidentCause.MANUAL,
    cause_key: str = "",
    via: str = "web",
) -> Incident:
    """Open an incident on ``product``; owners for manual ones, the system for automatic ones."""
    require(can_edit_product(actor, product), "Only the product's owners may open an incident on it.")
    title = _clean_text(title, field="title", limit=MAX_TITLE, required=True)
    message = _clean_text(message, field="message", limit=MAX_MESSAGE)
    severity = _severity(severity)
    now = timezone.now()
    with transaction.atomic():
        incident = Incident(
            product=product,
            title=title,
            severity=severity,
            cause=cause,
            cause_key=cause_key,
            opened_at=now,
            opened_by=_user(actor),
        )
        save_logged(actor, incident, via=via)
        IncidentUpdate.objects.create(
            incident=incident,
            time=now,
            kind="opened",
            message=message,
            author=_user(actor),
            author_label=actor_label(actor),
        )
        _event("opened", incident, actor, message=message[:500])
    return incident


def add_incident_update(actor, incident: Incident, *, message: str = "", severity: str | None = None, via: str = "web"):
    """A note on the timeline, optionally changing the severity."""
    require(can_edit_product(actor, incident.product), "Only the product's owners may update its incidents.")
    message = _clean_text(message, field="message", limit=MAX_MESSAGE)
    if severity is not None:
        severity = _severity(severity)
    if not message and (severity is None or severity == incident.severity):
        raise ActionError("Write a note or change the severity.", field="message", code="required")
    with transaction.atomic():
        locked = Incident.objects.select_for_update(of=("self",)).select_related("product__domain").get(pk=incident.pk)
        before = locked.history_snapshot()
        kind = "note"
        if severity is not None and severity != locked.severity:
            locked.severity, kind = severity, "severity"
            save_logged(actor, locked, via=via, before=before)
        update = IncidentUpdate.objects.create(
            incident=locked,
            time=timezone.now(),
            kind=kind,
            message=message if kind == "note" else (message or f"severity set to {severity}"),
            author=_user(actor),
            author_label=actor_label(actor),
        )
    return update


def resolve_incident(actor, incident: Incident, *, message: str = "", via: str = "web") -> Incident:
    """Close ``incident``; an already resolved incident is refused (nothing to do)."""
    require(can_edit_product(actor, incident.product), "Only the product's owners may resolve its incidents.")
    message = _clean_text(message, field="message", limit=MAX_MESSAGE)
    with transaction.atomic():
        locked = Incident.objects.select_for_update(of=("self",)).select_related("product__domain").get(pk=incident.pk)
        if locked.resolved_at is not None:
            raise ActionError("This incident is already resolved.", code="already_resolved")
        before = locked.history_snapshot()
        now = timezone.now()
        locked.resolved_at = now
        save_logged(actor, locked, via=via, before=before)
        IncidentUpdate.objects.create(
            incident=locked,
            time=now,
            kind="resolved",
            message=message,
            author=_user(actor),
            author_label=actor_label(actor),
        )
        minutes = int((now - locked.opened_at).total_seconds() // 60)
        _event("resolved", locked, actor, message=message[:500], minutes_open=minutes)
    return locked
