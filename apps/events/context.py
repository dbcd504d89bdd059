"""The header's bell: the unread count, computed only when a page renders it (and cached)."""

from django.utils.functional import SimpleLazyObject

from apps.events import cache


def unread_count(user) -> int:
    return cache.unread_count(user.pk)


def inbox(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user))}
