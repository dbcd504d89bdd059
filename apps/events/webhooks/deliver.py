"""Deliver one ``WebhookDelivery``: claim it, sign, POST, record the attempt, decide what next.

Claiming is one conditional UPDATE (due and not leased by a live worker), so a duplicated
task message sends nothing twice at once; the lease lapses if the worker dies mid-send
and ``requeue_due`` picks the row up again — with the same ``webhook-id``.
"""

import logging
from datetime import timedelta

import orjson
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.events.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookSubscription
from apps.events.webhooks.schedule import next_delay
from apps.events.webhooks.send import post, timeout_seconds
from apps.events.webhooks.signing import headers_for

logger = logging.getLogger(__name__)
DUE = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


def lease_seconds() -> float:
    return float(getattr(settings, "MESH_WEBHOOK_LEASE_SECONDS", 0) or timeout_seconds() * 3)


def claimable(now) -> Q:
    due = Q(status__in=DUE) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    lapsed = Q(status=DeliveryStatus.DELIVERING, locked_until__lt=now)
    return due | lapsed


def claim(delivery_id: int) -> WebhookDelivery | None:
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(claimable(now), pk=delivery_id, subscription__enabled=True).update(
        status=DeliveryStatus.DELIVERING,
        locked_until=now + timedelta(seconds=lease_seconds()),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("subscription", "event").get(pk=delivery_id)


def body_of(delivery: WebhookDelivery) -> str:
    return orjson.dumps(delivery.event.as_cloudevent()).decode()


def deliver(delivery_id: int) -> str:
    """Attempt delivery ``delivery_id`` if it is due; return the status it ends in."""
    delivery = claim(delivery_id)
    if delivery is None:
        return "skipped"
    subscription = delivery.subscription
    now = timezone.now()
    body = body_of(delivery)
    headers = headers_for(subscription.signing_secrets(now), delivery.webhook_id, now, body)
    result = post(subscription.url, body, headers)
    finished = timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            at=now,
            status_code=result.status_code,
            error=result.error[:500],
            duration_ms=result.duration_ms,
            response_excerpt=result.excerpt[:500],
        )
        fields = {"last_status_code": result.status_code, "last_error": result.error[:500], "locked_until": None}
        if result.ok:
            fields.update(status=DeliveryStatus.SUCCEEDED, delivered_at=finished, next_attempt_at=None)
        elif result.status_code == 410:
            fields.update(status=DeliveryStatus.DEAD, next_attempt_at=None)
            WebhookSubscription.objects.filter(pk=subscription.pk).update(
                enabled=False, disabled_reason=f"The receiver answered 410 Gone on {finished:%Y-%m-%d %H:%M} UTC."
            )
        else:
            delay = next_delay(delivery.attempts, result.retry_after)
            if delay is None:
                fields.update(status=DeliveryStatus.DEAD, next_attempt_at=None)
            else:
                fields.update(status=DeliveryStatus.RETRYING, next_attempt_at=finished + timedelta(seconds=delay))
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    if fields["status"] == DeliveryStatus.RETRYING:
        schedule_retry(delivery.pk, fields["next_attempt_at"])
    return fields["status"]


def schedule_retry(delivery_id: int, when) -> None:
    """With a broker, a countdown task; in-process (eager) mode leaves it to ``requeue_due``."""
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return
    from apps.events.tasks import deliver_webhook

    countdown = max(0.0, (when - timezone.now()).total_seconds())
    transaction.on_commit(lambda: deliver_webhook.apply_async((delivery_id,), countdown=countdown))


def due_ids(limit: int = 1000) -> list[int]:
    now = timezone.now()
    return list(
        WebhookDelivery.objects.filter(claimable(now), subscription__enabled=True)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
