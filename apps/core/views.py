"""Pages of the core app: the profile (my tokens, my teams, sections from other apps) and error pages.

Core knows no domain model: an app above it adds a section to the profile by registering a
context provider in ``profile_sections`` from its ``AppConfig.ready()`` (the catalog adds
"products": the products the person may edit).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.core.errors import ActionError
from apps.core.registry import Registry

# Context name -> callable(user) returning that section's value for the profile template.
profile_sections = Registry("profile sections")


def _token_model():
    from apps.core.models import PersonalAccessToken

    return PersonalAccessToken


@login_required
def profile(request, *, new_token: str | None = None, token_errors=None, status: int = 200):
    user = request.user
    sections = {name: provide(user) for name, provide in profile_sections.items()}
    return render(
        request,
        "core/profile.html",
        {
            **sections,
            "teams": user.mesh_teams.prefetch_related("members").order_by("name"),
            "tokens": _token_model().objects.filter(user=user).order_by("-created_at")[:100],
            "new_token": new_token,
            "token_errors": token_errors or [],
        },
        status=status,
    )


@login_required
@require_POST
def token_create(request):
    from apps.core.actions import create_token

    raw_days = request.POST.get("expires_days", "").strip()
    try:
        expires_days = int(raw_days) if raw_days else None
    except ValueError:
        return profile(request, token_errors=["Expiry must be a number of days."], status=422)
    try:
        _token, raw = create_token(request.user, name=request.POST.get("name", ""), expires_days=expires_days)
    except ActionError as exc:
        return profile(request, token_errors=[m for _, _, m in exc.errors], status=422)
    # The raw token is shown exactly once, in this response; only its hash is stored.
    return profile(request, new_token=raw)


@login_required
@require_POST
def token_revoke(request, token_id):
    from apps.core.actions import revoke_token

    token = get_object_or_404(_token_model(), pk=token_id)
    try:
        revoke_token(request.user, token)
    except ActionError as exc:
        raise PermissionDenied(exc.message) from None
    return redirect("profile")


# --- error pages ------------------------------------------------------------------------


def error_403(request, exception=None):
    message = str(exception) if exception and str(exception) else "You are not allowed to do this."
    return render(request, "403.html", {"message": message}, status=403)


def error_404(request, exception=None):
    return render(
        request, "404.html", {"message": str(exception) if exception and "/" not in str(exception) else ""}, status=404
    )


def error_500(request):
    # No context processors, no database: the failure might be the database.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())
