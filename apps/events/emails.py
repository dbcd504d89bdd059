"""E-mail through Django's backend: one message per event, or a digest when many pile up.

``instant`` recipients get each event by mail unless more than ``DIGEST_THRESHOLD`` are
waiting for them, then one digest. With workers, instant mail waits
``MESH_EMAIL_BATCH_SECONDS`` so that a burst (a harvest, a bulk edit) becomes one digest;
in-process, events routed together (one ``emit_many``) are batched. ``daily`` recipients
get one digest a day (``send_daily_digests``, scheduled by beat). ``emailed_at`` makes
every send idempotent.
"""

import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import timezone

from apps.events.models import DeliveryMode, Notification

logger = logging.getLogger(__name__)
DIGEST_THRESHOLD = 2
MAX_PER_DIGEST = 200


def _pending(mode: str, event_ids=None):
    qs = Notification.objects.filter(email=mode, emailed_at__isnull=True, user__is_active=True).exclude(user__email="")
    if event_ids is not None:
        users = qs.filter(event_id__in=event_ids).values("user_id")
        qs = qs.filter(user_id__in=users)
    return qs.select_related("event", "user").order_by("user_id", "id")


def schedule_instant(event_ids: list[int]) -> None:
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        send_instant(event_ids)
        return
    from apps.events.tasks import send_instant_emails

    try:
        send_instant_emails.apply_async((event_ids,), countdown=getattr(settings, "MESH_EMAIL_BATCH_SECONDS", 60))
    except Exception:  # the broker is down: the daily run or the next event sends them
        logger.exception("could not queue notification e-mails")


def send_instant(event_ids: list[int]) -> int:
    return _send(_pending(DeliveryMode.INSTANT, event_ids), digest_over=DIGEST_THRESHOLD)


def send_daily_digests() -> int:
    return _send(_pending(DeliveryMode.DAILY), digest_over=0)


def _send(notifications, *, digest_over: int) -> int:
    by_user = defaultdict(list)
    for n in notifications[:10_000]:
        by_user[n.user_id].append(n)
    if not by_user:
        return 0
    messages, sent_ids = [], []
    site = getattr(settings, "MESH_SITE_URL", "http://127.0.0.1:8000")
    for items in by_user.values():
        user = items[0].user
        if len(items) > digest_over:
            subject = f"[Mesh Catalog] {len(items)} updates for you"
            body = render_to_string(
                "events/email_digest.txt",
                {
                    "user": user,
                    "items": items[:MAX_PER_DIGEST],
                    "more": max(0, len(items) - MAX_PER_DIGEST),
                    "site": site,
                },
            )
            messages.append(EmailMessage(subject, body, to=[user.email]))
        else:
            for n in items:
                subject = f"[Mesh Catalog] {n.event.type.removeprefix('mesh.')}: {n.event.subject}"
                body = render_to_string("events/email_event.txt", {"user": user, "n": n, "site": site})
                messages.append(EmailMessage(subject, body, to=[user.email]))
        sent_ids += [n.pk for n in items]
    try:
        get_connection().send_messages(messages)
    except OSError:
        logger.exception("could not send %d notification e-mail(s); they stay pending", len(messages))
        return 0
    Notification.objects.filter(pk__in=sent_ids).update(emailed_at=timezone.now())
    return len(messages)
