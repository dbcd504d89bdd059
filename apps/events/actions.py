"""Every write of the events app: follows, preferences, read marks, webhook subscriptions.

Each checks permission and validates before writing; subscription changes are recorded in
the change log. Webhook secrets leave these functions only in the return value of
``create_subscription`` and ``rotate_secret`` (shown once).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apps.catalog.models import DataProduct, Dataset, Domain
from apps.catalog.permissions import can_edit_domain, can_edit_product
from apps.core.actors import is_admin
from apps.core.errors import ActionError, NotFoundError, PermissionDeniedError
from apps.core.events import EVENT_TYPES
from apps.core.history import record_change
from apps.core.models import ChangeAction
from apps.events import cache
from apps.events.models import (
    DeliveryMode,
    DeliveryStatus,
    Follow,
    FollowTarget,
    Notification,
    Preference,
    WebhookDelivery,
    WebhookSubscription,
)
from apps.events.webhooks.safety import check_url
from apps.events.webhooks.signing import new_secret

MAX_EVENT_TYPES = 100
MAX_DESCRIPTION = 200
ROTATION_OVERLAP = timedelta(hours=24)


def _logged_in(actor) -> None:
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "pk", None) is None:
        raise PermissionDeniedError("Log in first.")


# --- follows -----------------------------------------------------------------------------------


def _target_kwargs(target) -> dict:
    if isinstance(target, DataProduct):
        return {"target": FollowTarget.PRODUCT, "product": target}
    if isinstance(target, Domain):
        return {"target": FollowTarget.DOMAIN, "domain": target}
    if isinstance(target, Dataset):
        return {"target": FollowTarget.DATASET, "dataset": target}
    raise ActionError("Follow a data product, a domain or a dataset.", code="invalid_target")


def follow(actor, target) -> Follow:
    """Follow ``target`` (idempotent)."""
    _logged_in(actor)
    kwargs = _target_kwargs(target)
    with transaction.atomic():
        existing = Follow.objects.filter(user=actor, **kwargs).first()
        row = existing or Follow.objects.create(user=actor, **kwargs)
    cache.forget_follows(actor.pk)
    return row


def unfollow(actor, target) -> None:
    _logged_in(actor)
    Follow.objects.filter(user=actor, **_target_kwargs(target)).delete()
    cache.forget_follows(actor.pk)


# --- preferences --------------------------------------------------------------------------------


def set_preference(actor, event_type: str, *, in_app: bool, email: str) -> Preference:
    """How ``actor`` hears of ``event_type`` (blank: every type without its own preference)."""
    _logged_in(actor)
    event_type = (event_type or "").strip()
    if event_type and event_type not in EVENT_TYPES:
        raise ActionError(
            f"Unknown event type '{event_type[:100]}'. Known types: {', '.join(sorted(EVENT_TYPES.keys()))}.",
            field="event_type",
            code="unknown_event_type",
        )
    if email not in DeliveryMode.values:
        raise ActionError(
            f"E-mail must be one of {', '.join(DeliveryMode.values)}.", field="email", code="invalid_choice"
        )
    pref, _ = Preference.objects.update_or_create(
        user=actor, event_type=event_type, defaults={"in_app": bool(in_app), "email": email}
    )
    return pref


# --- inbox --------------------------------------------------------------------------------------


def mark_read(actor, notification_ids, *, read: bool = True) -> int:
    _logged_in(actor)
    ids = [int(i) for i in notification_ids][:1000]
    n = Notification.objects.filter(user=actor, pk__in=ids).update(read_at=timezone.now() if read else None)
    cache.forget_unread([actor.pk])
    return n


def mark_all_read(actor) -> int:
    _logged_in(actor)
    n = Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())
    cache.forget_unread([actor.pk])
    return n


# --- webhook subscriptions --------------------------------------------------------------------


def can_manage_subscription(actor, subscription: WebhookSubscription) -> bool:
    if is_admin(actor):
        return True
    if subscription.product_id is not None:
        return can_edit_product(actor, subscription.product)
    if subscription.domain_id is not None:
        return can_edit_domain(actor, subscription.domain)
    return False


def _clean_event_types(event_types) -> list[str]:
    if event_types is None:
        return []
    if not isinstance(event_types, (list, tuple)) or not all(isinstance(t, str) for t in event_types):
        raise ActionError("event_types is a list of event type names.", field="event_types", code="invalid")
    if len(event_types) > MAX_EVENT_TYPES:
        raise ActionError(f"At most {MAX_EVENT_TYPES} event types.", field="event_types", code="too_many")
    unknown = sorted({t for t in event_types if t not in EVENT_TYPES})
    if unknown:
        raise ActionError(
            f"Unknown event type(s): {', '.join(u[:100] for u in unknown[:5])}.",
            field="event_types",
            code="unknown_event_type",
        )
    return sorted(set(event_types))


def create_subscription(
    actor,
    *,
    url: str,
    event_types=None,
    domain: Domain | None = None,
    product: DataProduct | None = None,
    description="",
) -> tuple[WebhookSubscription, str]:
    """A new subscription and its secret (returned once, never shown again)."""
    _logged_in(actor)
    if domain is not None and product is not None:
        raise ActionError("Narrow a subscription to a domain or a product, not both.", field="product", code="invalid")
    subscription = WebhookSubscription(
        url=check_url(url),
        event_types=_clean_event_types(event_types),
        domain=domain,
        product=product,
        description=(description or "")[:MAX_DESCRIPTION],
        created_by=actor,
    )
    if not can_manage_subscription(actor, subscription):
        raise PermissionDeniedError(
            "Admins subscribe to every event; owners subscribe for their own products or domains (give product or domain)."
        )
    secret = new_secret()
    subscription.set_secret(secret)
    with transaction.atomic():
        subscription.save()
        record_change(actor, subscription, ChangeAction.CREATE, before=None, after=_snapshot(subscription), via="web")
    return subscription, secret


def _snapshot(s: WebhookSubscription) -> dict:
    return {
        "url": s.url,
        "event_types": s.event_types,
        "domain": s.domain_id,
        "product": s.product_id,
        "enabled": s.enabled,
    }


def _editable(actor, subscription) -> WebhookSubscription:
    _logged_in(actor)
    if not can_manage_subscription(actor, subscription):
        raise PermissionDeniedError("Only admins and the owners of its product or domain manage this webhook.")
    return subscription


def rotate_secret(actor, subscription: WebhookSubscription) -> str:
    """A new secret; the old one keeps signing beside it for ``ROTATION_OVERLAP``."""
    _editable(actor, subscription)
    secret = new_secret()
    with transaction.atomic():
        sub = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        sub.previous_secret_encrypted = sub.secret_encrypted
        sub.previous_secret_expires_at = timezone.now() + ROTATION_OVERLAP
        sub.set_secret(secret)
        sub.save(update_fields=["secret_encrypted", "previous_secret_encrypted", "previous_secret_expires_at"])
        record_change(
            actor,
            sub,
            ChangeAction.UPDATE,
            before=_snapshot(sub),
            after={**_snapshot(sub), "secret": "rotated"},
            via="web",
        )
    return secret


def set_enabled(actor, subscription: WebhookSubscription, enabled: bool) -> WebhookSubscription:
    _editable(actor, subscription)
    before = _snapshot(subscription)
    subscription.enabled = bool(enabled)
    subscription.disabled_reason = "" if enabled else f"Disabled by {actor.get_username()}."
    with transaction.atomic():
        subscription.save(update_fields=["enabled", "disabled_reason"])
        record_change(actor, subscription, ChangeAction.UPDATE, before=before, after=_snapshot(subscription), via="web")
    if enabled:
        from apps.events.dispatch import sweep

        transaction.on_commit(sweep)
    return subscription


def delete_subscription(actor, subscription: WebhookSubscription) -> None:
    _editable(actor, subscription)
    with transaction.atomic():
        record_change(actor, subscription, ChangeAction.DELETE, before=_snapshot(subscription), after=None, via="web")
        subscription.delete()


def redeliver(actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a dead-lettered (or delivered) event again, same ``webhook-id``, attempts reset."""
    _editable(actor, delivery.subscription)
    if not delivery.subscription.enabled:
        raise ActionError("Enable the subscription first.", field="subscription", code="disabled")
    with transaction.atomic():
        n = WebhookDelivery.objects.filter(
            pk=delivery.pk, status__in=[DeliveryStatus.DEAD, DeliveryStatus.SUCCEEDED]
        ).update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=None, locked_until=None)
        if not n:
            raise ActionError("This delivery is already waiting to be sent.", code="already_pending")
        from apps.events.dispatch import queue_deliveries

        transaction.on_commit(lambda: queue_deliveries([delivery.pk]))
    delivery.refresh_from_db()
    return delivery


def get_subscription(actor, pk) -> WebhookSubscription:
    sub = WebhookSubscription.objects.select_related("product__domain", "domain").filter(pk=pk).first()
    if sub is None or not can_manage_subscription(actor, sub):
        raise NotFoundError(f"No webhook subscription {pk} that you manage.")
    return sub
