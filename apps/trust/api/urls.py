"""Trust REST URLs; ``mesh_catalog.api.urls`` includes them under ``api/v1/`` before the router."""

from django.urls import path

from apps.trust.api import views

urlpatterns = [
    path("products/<slug:slug>/maturity/", views.ProductMaturityView.as_view(), name="product-maturity"),
    path("products/<slug:slug>/incidents/", views.ProductIncidentsView.as_view(), name="product-incidents"),
    path("incidents/<int:pk>/resolve/", views.IncidentResolveView.as_view(), name="incident-resolve"),
    path("maturity/", views.LeaderboardView.as_view(), name="maturity-leaderboard"),
]
