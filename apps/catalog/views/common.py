"""Helpers shared by the catalog's pages: read access, edit access, htmx-aware rendering."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from apps.core.errors import ActionError, PermissionDeniedError


def read_allowed(request) -> bool:
    return settings.MESH_PUBLIC_READ or request.user.is_authenticated


def reader_required(view):
    """Reads need a logged-in user unless the operator enabled public read."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not read_allowed(request):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def login_required_403(view):
    """Writes need a user; an anonymous POST is refused (403), never redirected and retried."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.method == "GET":
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied("Log in to make changes.")
        return view(request, *args, **kwargs)

    return wrapped


def deny_unless(allowed: bool, message: str = "You may not edit this.") -> None:
    """Refuse a forged request for an edit control the user was never shown."""
    if not allowed:
        raise PermissionDenied(message)


def render_partial_or_page(request, partial: str, page: str, context: dict, status: int = 200):
    """htmx requests get just the fragment; a normal request (no JS, shared link) the page."""
    template = partial if getattr(request, "htmx", False) else page
    return render(request, template, context, status=status)


def action_error_context(exc: ActionError) -> dict:
    """Errors keyed by field for forms: {field or '__all__': [messages]}."""
    errors: dict[str, list[str]] = {}
    for field, _code, message in exc.errors:
        errors.setdefault(field or "__all__", []).append(message)
    return errors


def raise_if_permission(exc: ActionError) -> None:
    if isinstance(exc, PermissionDeniedError):
        raise PermissionDenied(exc.message)
