"""The header's bell: pages render a placeholder that fetches its count (``/inbox/bell/``).

Counting in the page itself would add a query to every page; the lazy bell keeps each
page's query budget and the count itself is cached (``apps.events.cache``).
"""

from apps.events import cache


def unread_count(user) -> int:
    return cache.unread_count(user.pk)


def inbox(request):
    user = getattr(request, "user", None)
    return {"inbox_bell": bool(user is not None and user.is_authenticated)}
