"""The one write of the OpenLineage intake: accept a RunEvent.

Admins only (the platform team's tokens, which OpenLineage clients send as
``Authorization: Bearer``), like every source write. Idempotent by (run id, event type):
the event row and everything it implies are written in one transaction, and a repeat
finds the row and writes nothing. Search listeners hear about touched datasets after commit.
"""

from django.db import IntegrityError, transaction

from apps.catalog.models import Dataset
from apps.core.actors import is_admin
from apps.core.errors import ActionError
from apps.core.hooks import objects_changed
from apps.core.writes import require
from apps.harvest.openlineage.models import LineageEvent
from apps.harvest.openlineage.parser import MalformedEvent, parse_run_event
from apps.harvest.openlineage.writer import write_event

MAX_SKIPPED_SHOWN = 20


def receive_run_event(actor, payload, *, via: str = "rest") -> tuple[LineageEvent, bool]:
    """Apply one RunEvent; returns ``(event row, created)``. ``created`` False means a repeat."""
    require(is_admin(actor), "Only admins (the platform team's tokens) may post lineage events.")
    try:
        parsed = parse_run_event(payload)
    except MalformedEvent as exc:
        raise ActionError(exc.message, field=exc.field or None, code="malformed_event") from None
    existing = LineageEvent.objects.filter(run_id=parsed.run_id, event_type=parsed.event_type).first()
    if existing is not None:
        return existing, False
    user = actor if getattr(actor, "pk", None) and not getattr(actor, "is_system", False) else None
    try:
        with transaction.atomic():
            event = LineageEvent.objects.create(
                run_id=parsed.run_id,
                event_type=parsed.event_type,
                event_time=parsed.event_time,
                job_namespace=parsed.job_namespace[:300],
                job_name=parsed.job_name[:500],
                producer=parsed.producer,
                received_by=user,
                payload=payload,
                summary={"via": via},
            )
            outcome = write_event(parsed)
            event.summary = {
                "via": via,
                **outcome.counts,
                "skipped": outcome.skipped[:MAX_SKIPPED_SHOWN],
                "skipped_total": len(outcome.skipped),
            }
            event.save(update_fields=["summary"])
            objects_changed(Dataset, sorted(outcome.touched))
            objects_changed(LineageEvent, [event.pk])  # listeners (trust's measured freshness) read the event
    except IntegrityError:
        # The same event arrived twice at once; the other request wrote it.
        existing = LineageEvent.objects.filter(run_id=parsed.run_id, event_type=parsed.event_type).first()
        if existing is None:
            raise
        return existing, False
    return event, True
