"""Deliver a batch of ``WebhookDelivery`` rows: claim, sign, POST, record, decide what next.

Claiming is one conditional UPDATE (due and not leased by a live worker) stamping a batch
token, so a duplicated task message sends nothing twice at once. Outcomes of the whole
batch are written in one transaction (one commit instead of two per delivery). A worker
killed mid-batch leaves a lapsed lease that the sweep re-queues, and receivers see the
same ``webhook-id`` again and de-duplicate (at least once).
"""

import logging
import uuid
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


def claim(delivery_ids: list[int]) -> list[WebhookDelivery]:
    """Lease the due deliveries among ``delivery_ids`` to this batch: one UPDATE, one SELECT."""
    now = timezone.now()
    token = uuid.uuid4().hex
    WebhookDelivery.objects.filter(claimable(now), pk__in=delivery_ids, subscription__enabled=True).update(
        status=DeliveryStatus.DELIVERING,
        locked_until=now + timedelta(seconds=lease_seconds() * max(1, len(delivery_ids))),
        attempts=F("attempts") + 1,
        claim_token=token,
    )
    return list(
        WebhookDelivery.objects.filter(claim_token=token, status=DeliveryStatus.DELIVERING)
        .select_related("subscription", "event")
        .order_by("id")
    )


def body_of(delivery: WebhookDelivery) -> str:
    return orjson.dumps(delivery.event.as_cloudevent()).decode()


def deliver(delivery_id: int) -> str:
    """Attempt delivery ``delivery_id`` if it is due; return the status it ends in."""
    return deliver_many([delivery_id]).get(delivery_id, "skipped")


def deliver_many(delivery_ids: list[int]) -> dict[int, str]:
    """Send the due deliveries among ``delivery_ids``, then record every outcome in one transaction."""
    claimed = claim(delivery_ids)
    if not claimed:
        return {}
    attempts, outcomes, gone, secrets = [], {}, {}, {}
    for delivery in claimed:
        subscription = delivery.subscription
        if subscription.pk in gone:  # answered 410 earlier in this batch
            delivery.status, delivery.next_attempt_at, delivery.locked_until = DeliveryStatus.DEAD, None, None
            delivery.last_error = "The subscription was disabled (410 Gone)."
            outcomes[delivery.pk] = delivery.status
            continue
        now = timezone.now()
        body = body_of(delivery)
        if subscription.pk not in secrets:  # decrypted once per batch
            secrets[subscription.pk] = subscription.signing_secrets(now)
        headers = headers_for(secrets[subscription.pk], delivery.webhook_id, now, body)
        result = post(subscription.url, body, headers)
        finished = timezone.now()
        attempts.append(
            WebhookAttempt(
                delivery=delivery,
                number=delivery.attempts,
                at=now,
                status_code=result.status_code,
                error=result.error[:500],
                duration_ms=result.duration_ms,
                response_excerpt=result.excerpt[:500],
            )
        )
        delivery.last_status_code, delivery.last_error, delivery.locked_until = (
            result.status_code,
            result.error[:500],
            None,
        )
        if result.ok:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, finished, None
        elif result.status_code == 410:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.DEAD, None
            gone[subscription.pk] = f"The receiver answered 410 Gone on {finished:%Y-%m-%d %H:%M} UTC."
        else:
            delay = next_delay(delivery.attempts, result.retry_after)
            if delay is None:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.DEAD, None
            else:
                delivery.status = DeliveryStatus.RETRYING
                delivery.next_attempt_at = finished + timedelta(seconds=delay)
        outcomes[delivery.pk] = delivery.status
    with transaction.atomic():
        WebhookAttempt.objects.bulk_create(attempts)
        WebhookDelivery.objects.bulk_update(
            claimed, ["status", "last_status_code", "last_error", "locked_until", "delivered_at", "next_attempt_at"]
        )
        for sub_id, reason in gone.items():
            WebhookSubscription.objects.filter(pk=sub_id).update(enabled=False, disabled_reason=reason)
        for delivery in claimed:
            if delivery.status == DeliveryStatus.RETRYING:
                schedule_retry(delivery.pk, delivery.next_attempt_at)
    return outcomes


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
