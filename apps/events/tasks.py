"""Celery tasks of the events app: route, deliver a webhook, sweep, send digests.

All take ids, re-read state and are idempotent (routing skips routed events, a delivery
is claimed with a conditional UPDATE), so ``acks_late`` redelivery is always safe.
"""

from celery import shared_task

from apps.events import dispatch, emails
from apps.events.webhooks.deliver import deliver, deliver_many


@shared_task(acks_late=True, reject_on_worker_lost=True, name="apps.events.tasks.route_events")
def route_events(event_ids: list[int]):
    return dispatch.route(event_ids)


@shared_task(acks_late=True, reject_on_worker_lost=True, name="apps.events.tasks.deliver_webhook")
def deliver_webhook(delivery_id: int):
    return deliver(delivery_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, name="apps.events.tasks.deliver_webhooks")
def deliver_webhooks(delivery_ids: list[int]):
    """A batch of deliveries (one message instead of one each); each is claimed on its own."""
    return deliver_many(delivery_ids)


@shared_task(name="apps.events.tasks.sweep_events")
def sweep_events():
    """Periodic: route missed events, re-queue due deliveries and lapsed leases."""
    return dispatch.sweep()


@shared_task(acks_late=True, name="apps.events.tasks.send_instant_emails")
def send_instant_emails(event_ids: list[int]):
    return emails.send_instant(event_ids)


@shared_task(name="apps.events.tasks.send_daily_digests")
def send_daily_digests():
    return emails.send_daily_digests()
