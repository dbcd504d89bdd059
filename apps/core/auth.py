"""``Authorization: Bearer <personal access token>`` for REST, GraphQL and every other view.

``BearerTokenMiddleware`` authenticates the request before any view runs (so GraphQL and
plain Django views see ``request.user``) and exempts token requests from CSRF, which only
protects cookie sessions. ``BearerTokenAuthentication`` is the DRF side: it reuses what the
middleware found, and otherwise checks the header itself (e.g. in DRF's test client).
"""

from datetime import timedelta

from django.http import JsonResponse
from django.utils import timezone
from rest_framework import authentication, exceptions

from apps.core.models import PersonalAccessToken
from apps.core.models.token import hash_token

# Touching last_used_at on every request would turn reads into writes; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class InvalidToken(Exception):
    """The request carried a bearer token that is unknown, revoked or expired."""


def bearer_token(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or ""


def user_for_token(raw: str):
    """The active user holding ``raw``; raises ``InvalidToken`` otherwise."""
    if not raw:
        raise InvalidToken("Empty bearer token.")
    token = PersonalAccessToken.objects.usable().select_related("user").filter(token_hash=hash_token(raw)).first()
    if token is None or not token.user.is_active:
        raise InvalidToken("Invalid, expired or revoked token.")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class BearerTokenMiddleware:
    """Authenticates ``Authorization: Bearer`` requests; place after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = bearer_token(request)
        if raw is not None:
            try:
                user = user_for_token(raw)
            except InvalidToken as exc:
                return JsonResponse(
                    {"errors": [{"field": None, "code": "authentication_failed", "message": str(exc)}]},
                    status=401,
                    headers={"WWW-Authenticate": 'Bearer realm="api"'},
                )
            request.user = user
            request._mesh_token_user = user
            request._dont_enforce_csrf_checks = True  # no cookie involved: CSRF cannot apply
        return self.get_response(request)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """DRF authentication by personal access token."""

    keyword = "Bearer"

    def authenticate(self, request):
        django_request = request._request
        user = getattr(django_request, "_mesh_token_user", None)
        if user is not None:
            return (user, None)
        raw = bearer_token(django_request)
        if raw is None:
            return None
        try:
            return (user_for_token(raw), None)
        except InvalidToken as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from None

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'
