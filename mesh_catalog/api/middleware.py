"""One error format on every API path, whatever fails and wherever it fails.

DRF's exception handler covers errors raised inside a REST view. Before and around the
views, Django answers with HTML: a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (a 400 page),
a CSRF failure (a 403 page), an unknown URL, a wrong method, a crash. On ``/api/`` and
``/graphql`` this middleware (the outermost) refuses oversized bodies from
``Content-Length`` before anything reads them (413), turns ``RequestDataTooBig`` and
``BadInput`` into JSON, and rewrites any remaining HTML error page into
``{"errors": [{"field", "code", "message"}]}`` with the same status.
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse

from mesh_catalog.api.bounds import BadInput

logger = logging.getLogger(__name__)

STATUS_CODES = {
    400: ("bad_request", "The request is malformed."),
    401: ("not_authenticated", "Authentication required: log in or send 'Authorization: Bearer <token>'."),
    403: ("permission_denied", "You are not allowed to do this."),
    404: ("not_found", "No such resource."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("too_large", "The request body is too large."),
    500: ("server_error", "Something went wrong on our side; the error was logged."),
}


def is_api_request(request) -> bool:
    path = request.path_info
    if path.startswith("/api/"):
        return True
    if path.rstrip("/") == "/graphql":
        # GraphiQL (a browser GET asking for HTML) is a page, not the API.
        return not (request.method == "GET" and "text/html" in request.META.get("HTTP_ACCEPT", ""))
    return False


def error_response(status: int, code: str | None = None, message: str | None = None, field=None) -> JsonResponse:
    default_code, default_message = STATUS_CODES.get(status, ("error", "The request failed."))
    body = {"errors": [{"field": field, "code": code or default_code, "message": message or default_message}]}
    return JsonResponse(body, status=status)


def body_limit(request) -> int:
    if request.content_type == "multipart/form-data":
        return settings.MESH_MAX_UPLOAD_BYTES + settings.MESH_MAX_REQUEST_BYTES  # a dbt artifact set and its form
    return settings.MESH_MAX_REQUEST_BYTES


def too_large(limit: int) -> JsonResponse:
    return error_response(413, "too_large", f"The request body is larger than {limit:,} bytes.")


class ApiErrorMiddleware:
    """JSON errors, and early 413s, for API requests; pages are left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api_request(request):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(400, "invalid_content_length", "The Content-Length header is not a number.")
        limit = body_limit(request)
        if length > limit:
            return too_large(limit)
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            if response.status_code == 403 and not request.user.is_authenticated:
                return error_response(401)  # e.g. a CSRF failure of a request without credentials
            return error_response(response.status_code)
        return response

    def process_exception(self, request, exception):
        if not is_api_request(request):
            return None
        if isinstance(exception, RequestDataTooBig):
            return too_large(settings.MESH_MAX_REQUEST_BYTES)
        if isinstance(exception, BadInput):
            return JsonResponse(exception.as_body(), status=exception.status)
        if isinstance(exception, RecursionError):
            logger.warning("RecursionError on %s refused as too deep", request.path_info)
            return error_response(400, "too_deep", "The request is nested too deeply.")
        return None
