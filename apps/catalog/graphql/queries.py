"""Read queries of the catalog: domains, products, datasets, ports, owners, lineage (search is the search app's)."""

import graphene
from django.db.models import Q
from graphql import GraphQLError

from apps.catalog.graphql.dataset_types import (
    ColumnLineageGraph,
    DatasetConnection,
    DatasetType,
    LineageGraph,
    SchemaChangeConnection,
    column_lineage_graph,
    lineage_graph,
)
from apps.catalog.graphql.lineage import BOTH
from apps.catalog.graphql.types import (
    DataProductConnection,
    DataProductType,
    DomainConnection,
    DomainType,
    LineageDirection,
    OwnershipConnection,
    PortConnection,
    TeamConnection,
    TeamType,
)
from apps.catalog.models import Column, DataProduct, Dataset, Domain, Ownership, Port, SchemaChange, Team
from mesh_catalog.graphql.connections import CountedConnectionField

PRODUCT_ORDERINGS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "slug": ("slug",),
}


def _domain_root(slug):
    domain = Domain.objects.filter(slug=slug).first()
    if domain is None:
        raise GraphQLError(f"No domain '{slug}'.")
    return domain


class CatalogQuery(graphene.ObjectType):
    """Entry points into the catalog."""

    domains = CountedConnectionField(
        DomainConnection,
        roots_only=graphene.Boolean(
            default_value=False, description="Only top-level domains (walk children for the tree)."
        ),
    )
    domain = graphene.Field(DomainType, slug=graphene.String(required=True))
    data_products = CountedConnectionField(
        DataProductConnection,
        domain=graphene.String(description="Domain slug; includes its sub-domains."),
        lifecycle=graphene.List(graphene.NonNull(graphene.String)),
        classification=graphene.List(graphene.NonNull(graphene.String)),
        tag=graphene.String(),
        name_contains=graphene.String(),
        order_by=graphene.String(default_value="name", description=f"One of {', '.join(PRODUCT_ORDERINGS)}."),
    )
    data_product = graphene.Field(DataProductType, slug=graphene.String(required=True))
    dataset = graphene.Field(DatasetType, id=graphene.ID(), namespace=graphene.String(), name=graphene.String())
    datasets = CountedConnectionField(
        DatasetConnection,
        namespace=graphene.String(),
        platform=graphene.String(),
        kind=graphene.String(),
        name_contains=graphene.String(),
        include_removed=graphene.Boolean(default_value=False),
    )
    ports = CountedConnectionField(
        PortConnection, product=graphene.String(), direction=graphene.String(), protocol=graphene.String()
    )
    owners = CountedConnectionField(
        OwnershipConnection,
        product=graphene.String(),
        domain=graphene.String(),
        username=graphene.String(),
        team=graphene.String(),
    )
    teams = CountedConnectionField(TeamConnection)
    team = graphene.Field(TeamType, slug=graphene.String(required=True))
    lineage = graphene.Field(
        LineageGraph,
        namespace=graphene.String(required=True),
        name=graphene.String(required=True),
        direction=LineageDirection(default_value=BOTH),
        depth=graphene.Int(default_value=1),
    )
    column_lineage = graphene.Field(
        ColumnLineageGraph,
        namespace=graphene.String(required=True),
        name=graphene.String(required=True),
        column=graphene.String(required=True),
        direction=LineageDirection(default_value=BOTH),
        depth=graphene.Int(default_value=1),
    )
    schema_changes = CountedConnectionField(
        SchemaChangeConnection, breaking_only=graphene.Boolean(default_value=False), namespace=graphene.String()
    )

    def resolve_domains(root, info, roots_only=False, **args):
        queryset = Domain.objects.order_by("path")
        return queryset.filter(parent__isnull=True) if roots_only else queryset

    def resolve_domain(root, info, slug):
        return Domain.objects.filter(slug=slug).first()

    def resolve_data_products(
        root,
        info,
        domain=None,
        lifecycle=None,
        classification=None,
        tag=None,
        name_contains=None,
        order_by="name",
        **args,
    ):
        if order_by not in PRODUCT_ORDERINGS:
            raise GraphQLError(f"orderBy must be one of {', '.join(PRODUCT_ORDERINGS)}.")
        queryset = DataProduct.objects.order_by(*PRODUCT_ORDERINGS[order_by])
        if domain:
            queryset = queryset.filter(domain__path__startswith=_domain_root(domain).path)
        if lifecycle:
            queryset = queryset.filter(lifecycle__in=lifecycle)
        if classification:
            queryset = queryset.filter(classification__in=classification)
        if tag:
            queryset = queryset.filter(tags__slug=tag)
        if name_contains:
            queryset = queryset.filter(name__icontains=name_contains)
        return queryset

    def resolve_data_product(root, info, slug):
        return DataProduct.objects.filter(slug=slug).first()

    def resolve_dataset(root, info, id=None, namespace=None, name=None):
        if id is not None:
            return Dataset.objects.filter(pk=id).first() if str(id).isdigit() else None
        if namespace is None or name is None:
            raise GraphQLError("Give either id, or namespace and name.")
        return Dataset.objects.filter(namespace=namespace, name=name).first()

    def resolve_datasets(
        root, info, namespace=None, platform=None, kind=None, name_contains=None, include_removed=False, **args
    ):
        queryset = Dataset.objects.order_by("namespace", "name")
        filters = {k: v for k, v in {"namespace": namespace, "platform": platform, "kind": kind}.items() if v}
        queryset = queryset.filter(**filters)
        if name_contains:
            queryset = queryset.filter(name__icontains=name_contains)
        return queryset if include_removed else queryset.filter(removed_at__isnull=True)

    def resolve_ports(root, info, product=None, direction=None, protocol=None, **args):
        filters = {
            k: v for k, v in {"product__slug": product, "direction": direction, "protocol": protocol}.items() if v
        }
        return Port.objects.filter(**filters).order_by("product_id", "direction", "name")

    def resolve_owners(root, info, product=None, domain=None, username=None, team=None, **args):
        filters = {
            k: v
            for k, v in {
                "product__slug": product,
                "domain__slug": domain,
                "user__username": username,
                "team__slug": team,
            }.items()
            if v
        }
        return Ownership.objects.filter(**filters).select_related("user", "team").order_by("id")

    def resolve_teams(root, info, **args):
        return Team.objects.order_by("name")

    def resolve_team(root, info, slug):
        return Team.objects.filter(slug=slug).first()

    def resolve_lineage(root, info, namespace, name, direction=BOTH, depth=1):
        dataset = Dataset.objects.filter(namespace=namespace, name=name).only("id").first()
        if dataset is None:
            raise GraphQLError(f"No dataset '{namespace}/{name}'.")
        return lineage_graph(info, [dataset.pk], getattr(direction, "value", direction), depth)

    def resolve_column_lineage(root, info, namespace, name, column, direction=BOTH, depth=1):
        col = Column.objects.filter(dataset__namespace=namespace, dataset__name=name, name=column).only("id").first()
        if col is None:
            raise GraphQLError(f"No column '{column}' in '{namespace}/{name}'.")
        return column_lineage_graph(info, [col.pk], getattr(direction, "value", direction), depth)

    def resolve_schema_changes(root, info, breaking_only=False, namespace=None, **args):
        queryset = SchemaChange.objects.order_by("-detected_at", "id")
        if breaking_only:
            queryset = queryset.filter(is_breaking=True)
        if namespace:
            queryset = queryset.filter(Q(dataset__namespace=namespace))
        return queryset
