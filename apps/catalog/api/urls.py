"""Registers the catalog's REST views on the API's root router."""
from apps.catalog.api import views


def register(router) -> None:
    router.register("domains", views.DomainViewSet, basename="domain")
    router.register("products", views.ProductViewSet, basename="product")
    router.register("ports", views.PortViewSet, basename="port")
    router.register("ownerships", views.OwnershipViewSet, basename="ownership")
    router.register("datasets", views.DatasetViewSet, basename="dataset")
    router.register("teams", views.TeamViewSet, basename="team")
