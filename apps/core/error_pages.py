"""The project's own 404/403/500 pages also while ``DEBUG`` is on (the embedded demo).

With ``DEBUG=True`` Django answers errors with its technical pages, which list the URL
patterns and settings — not what a visitor of ``make run`` should see. This middleware
serves the project's handlers instead while ``MESH_OWN_ERROR_PAGES`` is true (the default;
set it false to get Django's debug pages back when developing). With ``DEBUG=False``
Django already uses the handlers and this does nothing. API paths keep their JSON errors.
A server error is still logged and signalled (so the test client re-raises it).
"""

import logging
import sys

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.signals import got_request_exception
from django.http import Http404

logger = logging.getLogger("django.request")
MACHINE_PREFIXES = ("/api/", "/graphql", "/healthz", "/static/", "/admin/")


class OwnErrorPages:
    """Middleware: the error handlers of ``mesh_catalog.urls`` in place of Django's debug pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def _active(self, request) -> bool:
        return (
            settings.DEBUG
            and getattr(settings, "MESH_OWN_ERROR_PAGES", True)
            and not request.path.startswith(MACHINE_PREFIXES)
        )

    def __call__(self, request):
        response = self.get_response(request)
        # An unmatched URL never reaches a view: no resolver_match, and DEBUG's 404 page.
        if (
            response.status_code == 404
            and getattr(request, "resolver_match", None) is None
            and response.get("Content-Type", "").startswith("text/html")
            and self._active(request)
        ):
            from apps.core.views import error_404

            return error_404(request)
        return response

    def process_exception(self, request, exception):
        if not self._active(request):
            return None
        from apps.core.views import error_403, error_404, error_500

        if isinstance(exception, Http404):
            return error_404(request, exception)
        if isinstance(exception, PermissionDenied):
            return error_403(request, exception)
        logger.error("Internal Server Error: %s", request.path, exc_info=sys.exc_info())
        got_request_exception.send(sender=None, request=request)
        return error_500(request)
