"""Per-person values every page shows (the bell's count, what one follows), cached.

They are read on every page and change rarely, so pages keep their query budgets: the
count is dropped when notifications are written or read, the follows when one follows.
"""

from django.core.cache import cache

TTL = 300


def _unread_key(user_id: int) -> str:
    return f"events:unread:{user_id}"


def _follows_key(user_id: int) -> str:
    return f"events:follows:{user_id}"


def unread_count(user_id: int) -> int:
    value = cache.get(_unread_key(user_id))
    if value is None:
        from apps.events.models import Notification

        value = Notification.objects.filter(user_id=user_id, in_app=True, read_at__isnull=True).count()
        cache.set(_unread_key(user_id), value, TTL)
    return value


def follows(user_id: int) -> set[tuple[str, int]]:
    value = cache.get(_follows_key(user_id))
    if value is None:
        from apps.events.models import Follow

        value = {
            (target, product or domain or dataset)
            for target, product, domain, dataset in Follow.objects.filter(user_id=user_id).values_list(
                "target", "product_id", "domain_id", "dataset_id"
            )
        }
        cache.set(_follows_key(user_id), value, TTL)
    return value


def forget_unread(user_ids) -> None:
    cache.delete_many([_unread_key(u) for u in user_ids])


def forget_follows(user_id: int) -> None:
    cache.delete(_follows_key(user_id))
