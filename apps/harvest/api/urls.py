"""Harvest push endpoints under ``/api/v1/`` (included by ``mesh_catalog.api.urls``)."""

from django.urls import path

from apps.harvest.api.asyncapi_upload import AsyncAPIDocumentsUploadView
from apps.harvest.api.dbt_upload import DbtArtifactsUploadView
from apps.harvest.api.lineage import OpenLineageView
from apps.harvest.api.sources import HarvestRunViewSet, SourceViewSet


def register(router) -> None:
    """Put the source and run viewsets on the shared ``/api/v1/`` router."""
    router.register("sources", SourceViewSet, basename="source")
    router.register("harvest-runs", HarvestRunViewSet, basename="harvest-run")


urlpatterns = [
    path("lineage", OpenLineageView.as_view(), name="openlineage-intake"),
    path("sources/<slug:name>/dbt-artifacts", DbtArtifactsUploadView.as_view(), name="dbt-artifacts-upload"),
    path(
        "sources/<slug:name>/asyncapi-documents",
        AsyncAPIDocumentsUploadView.as_view(),
        name="asyncapi-documents-upload",
    ),
]
