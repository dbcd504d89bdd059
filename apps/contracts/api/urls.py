"""Contracts REST URLs; ``mesh_catalog.api.urls`` includes them under ``api/v1/``."""

from django.urls import path

from apps.contracts.api import views

urlpatterns = [
    path(
        "contracts/impact-entries/<int:entry_id>/acknowledge",
        views.AcknowledgeView.as_view(),
        name="contract-acknowledge",
    ),
    path("contracts/draft/<slug:product>/<str:port>", views.DraftView.as_view(), name="contract-draft"),
    path("contracts/<str:odcs_id>/versions/", views.VersionsView.as_view(), name="contract-versions"),
    path(
        "contracts/<str:odcs_id>/versions/<str:version>/status",
        views.VersionStatusView.as_view(),
        name="contract-status",
    ),
    path("contracts/<str:odcs_id>/checks/", views.ChecksView.as_view(), name="contract-checks"),
    path("contracts/<str:odcs_id>/impact/", views.ImpactView.as_view(), name="contract-impact"),
    path("contracts/<str:odcs_id>", views.ContractView.as_view(), name="contract"),
]
