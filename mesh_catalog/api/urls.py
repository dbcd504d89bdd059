"""``/api/v1/``: one router for every app's REST views, plus the OpenAPI schema and docs.

Apps expose ``register(router)``; apps with their own URL patterns (search, lineage
intake, dbt upload) are included from their ``api/urls.py``, so each app keeps its API
next to its code. Unknown ``/api/v1/`` paths answer a JSON 404.
"""

from django.http import JsonResponse
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from apps.catalog.api.urls import register as register_catalog
from apps.catalog.api.urls import urlpatterns as catalog_urlpatterns
from apps.harvest.api.urls import register as register_harvest
from apps.trust.api.urls import urlpatterns as trust_urlpatterns
from mesh_catalog.api import schema as _schema_extensions  # noqa: F401  (registers the bearer scheme)

router = DefaultRouter()
register_catalog(router)
register_harvest(router)

v1_patterns = [
    *catalog_urlpatterns,
    *trust_urlpatterns,
    path("", include(router.urls)),
    path("", include("apps.search.api.urls")),
    path("", include("apps.harvest.api.urls")),
    path("", include("apps.costs.api.urls")),
    path("", include("apps.privacy.api.urls")),
    path("", include("apps.contracts.api.urls")),
    path("", include("apps.events.api.urls")),
]


def api_not_found(request, *args, **kwargs):
    """Unknown ``/api/v1/`` paths answer in the API's error format, not with an HTML page."""
    return JsonResponse(
        {"errors": [{"field": None, "code": "not_found", "message": f"No API endpoint at {request.path}."}]}, status=404
    )


v1_patterns.append(re_path(r"^.*$", api_not_found))

urlpatterns = [
    path("api/v1/", include(v1_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
