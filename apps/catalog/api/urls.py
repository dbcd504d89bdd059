"""Registers the catalog's REST views on the API's root router, plus the descriptor route."""

from django.urls import path

from apps.catalog.api import views
from apps.catalog.api.descriptors import DescriptorView

urlpatterns = [path("products/<slug:slug>/descriptor", DescriptorView.as_view(), name="product-descriptor")]


def register(router) -> None:
    router.register("domains", views.DomainViewSet, basename="domain")
    router.register("products", views.ProductViewSet, basename="product")
    router.register("ports", views.PortViewSet, basename="port")
    router.register("ownerships", views.OwnershipViewSet, basename="ownership")
    router.register("datasets", views.DatasetViewSet, basename="dataset")
    router.register("teams", views.TeamViewSet, basename="team")
