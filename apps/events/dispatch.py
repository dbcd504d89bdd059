"""From committed events to notifications and webhook deliveries.

``on_events_committed`` is the outbox listener (registered in ``EventsConfig.ready``): it
queues ``route_events`` in chunks. Without a broker (the embedded default) the task runs
in-process right after the commit. If the broker is unreachable the events stay in the
outbox unrouted and ``sweep`` routes them later — nothing is lost.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.core.models import Event
from apps.events.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from apps.events.routing import plan_notifications, store_notifications
from apps.events.webhooks.signing import webhook_id_for

logger = logging.getLogger(__name__)
CHUNK = 200
DELIVERY_BATCH = 50
SWEEP_WINDOW = timedelta(days=7)


def on_events_committed(event_ids: list[int]) -> None:
    from apps.events.tasks import route_events

    for start in range(0, len(event_ids), CHUNK):
        chunk = event_ids[start : start + CHUNK]
        try:
            route_events.delay(chunk)
        except Exception:  # the broker is down: the sweep routes these from the outbox
            logger.exception("could not queue routing of events %s…; the sweep will route them", chunk[:3])


def route(event_ids: list[int]) -> dict:
    """Route the events among ``event_ids`` that are not routed yet; queue their deliveries."""
    events = list(Event.objects.filter(pk__in=event_ids, route__isnull=True).order_by("id"))
    if not events:
        return {"routed": 0, "deliveries": 0}
    subscriptions = list(WebhookSubscription.objects.filter(enabled=True).select_related("domain"))
    domain_paths = _domain_paths(events, subscriptions)
    notifications = plan_notifications(events)
    deliveries = [
        WebhookDelivery(subscription=s, event=event, webhook_id=webhook_id_for(event.uid, s.pk))
        for event in events
        for s in subscriptions
        if s.matches(event, domain_paths)
    ]
    with transaction.atomic():  # one batch: notifications, route marks and deliveries together
        per_event: dict[int, int] = {}
        for d in deliveries:
            per_event[d.event_id] = per_event.get(d.event_id, 0) + 1
        store_notifications(events, notifications, per_event)
        WebhookDelivery.objects.bulk_create(deliveries, batch_size=2000, ignore_conflicts=True)
    notified = len(notifications)
    ids = list(
        WebhookDelivery.objects.filter(event_id__in=[e.pk for e in events], status=DeliveryStatus.PENDING).values_list(
            "pk", flat=True
        )
    )
    queue_deliveries(ids)
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        # No beat in the embedded mode: retries that fell due ride along with new events.
        from apps.events.webhooks.deliver import due_ids

        queue_deliveries([i for i in due_ids(50) if i not in set(ids)])
    from apps.events.emails import schedule_instant

    schedule_instant([e.pk for e in events])
    return {"routed": len(events), "notifications": notified, "deliveries": len(ids)}


def queue_deliveries(delivery_ids: list[int]) -> None:
    """Queue deliveries in small batches: fewer messages, and a worker reuses its connection."""
    from apps.events.tasks import deliver_webhooks

    for start in range(0, len(delivery_ids), DELIVERY_BATCH):
        batch = delivery_ids[start : start + DELIVERY_BATCH]
        try:
            deliver_webhooks.delay(batch)
        except Exception:
            logger.exception("could not queue webhook deliveries %s…; the sweep will retry them", batch[:3])


def _domain_paths(events, subscriptions) -> dict[str, str]:
    from apps.catalog.models import Domain

    slugs = {e.domain_slug for e in events if e.domain_slug} | {s.domain.slug for s in subscriptions if s.domain_id}
    return dict(Domain.objects.filter(slug__in=slugs).values_list("slug", "path")) if slugs else {}


def sweep(limit: int = 5000) -> dict:
    """Route events the listener missed, and queue deliveries that are due or whose worker died."""
    from apps.events.webhooks.deliver import due_ids

    since = timezone.now() - SWEEP_WINDOW
    unrouted = list(
        Event.objects.filter(time__gte=since, route__isnull=True).order_by("id").values_list("pk", flat=True)[:limit]
    )
    for start in range(0, len(unrouted), CHUNK):
        route(unrouted[start : start + CHUNK])
    due = due_ids(limit)
    queue_deliveries(due)
    return {"routed": len(unrouted), "queued": len(due)}
