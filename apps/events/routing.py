"""Routing: resolve outbox events to the people who should hear of them, and store who was told.

Who and why comes from ``audience`` (set-based over a batch); this module applies each
person's preferences, drops deactivated accounts and bulk-inserts the notifications, the
(event, user) uniqueness making a second routing of the same event a no-op.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from apps.events.audience import recipients_of

BIG_AUDIENCE = 200


# --- preferences and storage ------------------------------------------------------------------------


def apply_preferences(event_type: str, user_ids) -> dict[int, tuple[bool, str]]:
    """user id → (in_app, email mode); a type-specific preference wins over the blank one."""
    from apps.events.models import DeliveryMode, Preference

    chosen: dict[int, tuple[bool, str]] = dict.fromkeys(user_ids, (True, DeliveryMode.OFF))
    rows = Preference.objects.filter(event_type__in=["", event_type])
    if len(chosen) <= BIG_AUDIENCE:  # else every preference of the type: fewer rows than a huge IN list costs
        rows = rows.filter(user_id__in=list(chosen))
    for user_id, _etype, in_app, email in sorted(
        rows.values_list("user_id", "event_type", "in_app", "email"), key=lambda r: r[1] != ""
    ):  # blank first, the type-specific one wins
        if user_id in chosen:
            chosen[user_id] = (in_app, email)
    return chosen


def inactive_users(user_ids) -> set[int]:
    """Deactivated accounts among ``user_ids`` (few, so a large audience asks for all of them)."""
    if not user_ids:
        return set()
    qs = get_user_model().objects.filter(is_active=False)
    if len(user_ids) <= BIG_AUDIENCE:
        qs = qs.filter(pk__in=list(user_ids))
    return set(qs.values_list("pk", flat=True))


def memo_key(event) -> tuple:
    """Events with equal keys have the same recipients (a burst of edits to one product)."""
    d = event.data or {}
    return (
        event.type,
        event.actor_id,
        d.get("product_id"),
        d.get("port_id"),
        d.get("dataset_id"),
        d.get("domain_id"),
        bool(d.get("breaking")),
        tuple(d.get("notify_user_ids") or ()),
    )


def plan_notifications(events) -> list:
    """The unsaved notifications of ``events``, resolved together (see ``audience``).

    Events with the same ``memo_key`` (a burst of edits to one product) are resolved once;
    deactivated accounts are looked up once, preferences once per event type.
    """
    from apps.events.models import DeliveryMode, Notification

    keys = [memo_key(e) for e in events]
    first = dict(zip(keys, events, strict=True))  # one representative per key
    found = dict(zip(first, recipients_of(list(first.values())), strict=True))
    inactive = inactive_users({u for audience in found.values() for u in audience})
    wanted: dict[str, set] = {}
    for key, audience in found.items():
        wanted.setdefault(key[0], set()).update(set(audience) - inactive)
    prefs = {etype: apply_preferences(etype, users) for etype, users in wanted.items() if users}
    planned: dict[tuple, list] = {}
    for key, audience in found.items():
        chosen = prefs.get(key[0], {})
        planned[key] = [
            (user_id, *audience[user_id], *chosen[user_id])
            for user_id in sorted(set(audience) - inactive)
            if chosen[user_id][0] or chosen[user_id][1] != DeliveryMode.OFF
        ]
    return [
        Notification(event=event, user_id=u, reason_code=code, reason=reason, in_app=in_app, email=email)
        for event, key in zip(events, keys, strict=True)
        for u, code, reason, in_app, email in planned[key]
    ]


def store_notifications(events, rows, deliveries: dict[int, int] | None = None) -> None:
    """Bulk-insert ``rows`` and mark ``events`` routed, in the caller's transaction."""
    from apps.events import cache
    from apps.events.models import EventRoute, Notification

    counts: dict[int, int] = {}
    for r in rows:
        counts[r.event_id] = counts.get(r.event_id, 0) + 1
    Notification.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    EventRoute.objects.bulk_create(
        [
            EventRoute(event=e, recipients=counts.get(e.pk, 0), deliveries=(deliveries or {}).get(e.pk, 0))
            for e in events
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    told = list({r.user_id for r in rows if r.in_app})
    transaction.on_commit(lambda: cache.forget_unread(told))


def route_event(event) -> list:
    """Write the notifications of ``event`` (idempotent) and return them (unsaved)."""
    rows = plan_notifications([event])
    with transaction.atomic():
        store_notifications([event], rows)
    return rows
