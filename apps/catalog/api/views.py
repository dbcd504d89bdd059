"""REST views of the catalog. Writes call actions through the serializers; deletes call
the delete actions; errors come back as ``{"errors": [...]}`` (``mesh_catalog.api.errors``)."""

from django.db.models import Prefetch
from rest_framework import filters, mixins, viewsets

from apps.catalog import actions
from apps.catalog.api import filters as catalog_filters
from apps.catalog.api import serializers
from apps.catalog.models import DataProduct, Dataset, Domain, Ownership, Port, Team

VIA = "rest"


class DomainViewSet(viewsets.ModelViewSet):
    """Domains, addressed by slug."""

    queryset = Domain.objects.select_related("parent").order_by("path")
    serializer_class = serializers.DomainSerializer
    lookup_field = "slug"
    filterset_class = catalog_filters.DomainFilter
    filter_backends = [*viewsets.ModelViewSet.filter_backends, filters.OrderingFilter]
    ordering_fields = ["path", "name", "slug", "created_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_destroy(self, domain):
        actions.delete_domain(self.request.user, domain, via=VIA)


class ProductViewSet(viewsets.ModelViewSet):
    """Data products, addressed by slug (the descriptor lives at ``{slug}/descriptor``)."""

    queryset = DataProduct.objects.select_related("domain").prefetch_related("tags").order_by("name", "id")
    serializer_class = serializers.ProductSerializer
    lookup_field = "slug"
    filterset_class = catalog_filters.ProductFilter
    filter_backends = [*viewsets.ModelViewSet.filter_backends, filters.OrderingFilter]
    ordering_fields = ["name", "slug", "updated_at", "created_at", "lifecycle"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_destroy(self, product):
        actions.delete_product(self.request.user, product, via=VIA)


class PortViewSet(viewsets.ModelViewSet):
    """Input and output ports; link datasets by id and consume other products' output ports."""

    queryset = (
        Port.objects.select_related("product")
        .prefetch_related(Prefetch("datasets", queryset=Dataset.objects.only("id")))
        .order_by("product_id", "direction", "name")
    )
    serializer_class = serializers.PortSerializer
    filterset_class = catalog_filters.PortFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_destroy(self, port):
        actions.delete_port(self.request.user, port, via=VIA)


class OwnershipViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """Who owns what: grant with POST, take back with DELETE."""

    queryset = Ownership.objects.select_related("user", "team", "product", "domain").order_by("id")
    serializer_class = serializers.OwnershipSerializer
    filterset_class = catalog_filters.OwnershipFilter

    def perform_destroy(self, ownership):
        actions.remove_owner(self.request.user, ownership, via=VIA)


class DatasetViewSet(viewsets.ReadOnlyModelViewSet):
    """Harvested datasets (read-only); live ones unless ``include_removed=true``."""

    filterset_class = catalog_filters.DatasetFilter
    filter_backends = [*viewsets.ReadOnlyModelViewSet.filter_backends, filters.OrderingFilter]
    ordering_fields = ["namespace", "name", "last_seen_at"]

    def get_queryset(self):
        queryset = Dataset.objects.order_by("namespace", "name")
        if self.action == "retrieve":
            return queryset.prefetch_related("columns")
        if self.request.query_params.get("include_removed", "").lower() not in ("true", "1"):
            queryset = queryset.filter(removed_at__isnull=True)
        return queryset

    def get_serializer_class(self):
        return serializers.DatasetDetailSerializer if self.action == "retrieve" else serializers.DatasetSerializer


class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    """Teams and their members (read-only here)."""

    queryset = Team.objects.prefetch_related("members").order_by("name")
    serializer_class = serializers.TeamSerializer
    lookup_field = "slug"
