"""Root URLs. Each app owns its own ``urls.py`` (pages) and ``api/urls.py`` (REST)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from apps.catalog import views as catalog_views
from apps.core import views as core_views
from mesh_catalog import health

urlpatterns = [
    path("", catalog_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("mesh_catalog.api.urls")),
    path("", include("mesh_catalog.graphql.urls")),
    path("", include("apps.catalog.urls")),
    path("", include("apps.search.urls")),
    path("lab/", include("apps.lab.urls")),
    path("access/", include("apps.governance.urls")),
    path("privacy/", include("apps.privacy.urls")),
    path("", include("apps.contracts.urls")),
    path("trust/", include("apps.trust.urls")),
    path("", include("apps.events.urls")),
    path("profile/", core_views.profile, name="profile"),
    path("profile/tokens/", core_views.token_create, name="token_create"),
    path("profile/tokens/<int:token_id>/revoke/", core_views.token_revoke, name="token_revoke"),
    path("", include("apps.harvest.urls")),
    path("", include("apps.costs.urls")),
    path("", include("apps.agents.urls")),
]

handler403 = "apps.core.views.error_403"
handler404 = "apps.core.views.error_404"
handler500 = "apps.core.views.error_500"
