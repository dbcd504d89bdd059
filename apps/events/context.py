"""The header's bell: the unread count, computed only when a page renders it."""

from django.utils.functional import SimpleLazyObject


def unread_count(user) -> int:
    from apps.events.models import Notification

    return Notification.objects.filter(user=user, in_app=True, read_at__isnull=True).count()


def inbox(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user))}
