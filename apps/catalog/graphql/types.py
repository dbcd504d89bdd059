"""GraphQL types of the catalog's business side: domains, products, ports, owners, teams.

Every relation resolves through a loader (``apps.catalog.graphql.dataloaders``), so a
query's SQL count depends on its shape, not on how many objects it returns.
"""

import graphene

from apps.catalog.graphql import dataloaders as L
from apps.catalog.graphql.lineage import BOTH, product_walk
from apps.core.history import history_for
from mesh_catalog.graphql.connections import CountedConnection, CountedConnectionField
from mesh_catalog.graphql.dataloaders import loader

LineageDirection = graphene.Enum(
    "LineageDirection", [("UPSTREAM", "upstream"), ("DOWNSTREAM", "downstream"), ("BOTH", "both")]
)


class UserType(graphene.ObjectType):
    """A person, as shown in the catalog (no e-mail address)."""

    class Meta:
        name = "User"

    id = graphene.ID(required=True)
    username = graphene.String(required=True)
    full_name = graphene.String(required=True)

    def resolve_full_name(user, info):
        return user.get_full_name()


class TeamType(graphene.ObjectType):
    """A team of people owning domains and products together."""

    class Meta:
        name = "Team"

    id = graphene.ID(required=True)
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    description = graphene.String(required=True)
    email = graphene.String(required=True)
    chat_channel = graphene.String(required=True)
    members = graphene.List(graphene.NonNull(UserType), required=True)

    def resolve_members(team, info):
        return loader(info, L.MembersByTeam).load_for(team)


class OwnershipType(graphene.ObjectType):
    """A role (owner, steward, technical owner) held by a user or a team."""

    class Meta:
        name = "Ownership"

    id = graphene.ID(required=True)
    role = graphene.String(required=True)
    user = graphene.Field(UserType)
    team = graphene.Field(TeamType)
    holder = graphene.String(required=True, description="Display name of the user or team.")

    def resolve_holder(ownership, info):
        return ownership.holder_label


class OwnershipConnection(CountedConnection):
    class Meta:
        node = OwnershipType


class ChangeType(graphene.ObjectType):
    """One entry of an object's history: who changed what, when, through which interface."""

    class Meta:
        name = "Change"

    id = graphene.ID(required=True)
    time = graphene.DateTime(required=True)
    actor = graphene.String(required=True)
    via = graphene.String(required=True)
    action = graphene.String(required=True)
    object_type = graphene.String(required=True)
    object_repr = graphene.String(required=True)
    changed_fields = graphene.JSONString(required=True, description="{field: [before, after]}")

    def resolve_actor(change, info):
        return change.actor_label

    def resolve_object_type(change, info):
        return change.content_type.model

    def resolve_changed_fields(change, info):
        return {k: list(v) for k, v in change.changed_fields.items()}


class ChangeConnection(CountedConnection):
    class Meta:
        node = ChangeType


class DomainType(graphene.ObjectType):
    """A business domain; ``children`` and ``parent`` make the tree."""

    class Meta:
        name = "Domain"

    id = graphene.ID(required=True)
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    description = graphene.String(required=True)
    path = graphene.String(required=True)
    depth = graphene.Int(required=True)
    url = graphene.String(required=True)
    parent = graphene.Field(lambda: DomainType)
    children = graphene.List(graphene.NonNull(lambda: DomainType), required=True)
    products = CountedConnectionField(lambda: DataProductConnection)
    owners = CountedConnectionField(OwnershipConnection)

    def resolve_url(domain, info):
        return domain.get_absolute_url()

    def resolve_parent(domain, info):
        return loader(info, L.DomainById).load(domain.parent_id)

    def resolve_children(domain, info):
        return loader(info, L.ChildrenByDomain).load_for(domain)

    def resolve_products(domain, info, **args):
        return loader(info, L.ProductsByDomain).load_for(domain)

    def resolve_owners(domain, info, **args):
        return loader(info, L.OwnershipsByDomain).load_for(domain)


class PortType(graphene.ObjectType):
    """An input or output port; inputs may consume another product's output port."""

    class Meta:
        name = "Port"

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    direction = graphene.String(required=True, description="input | output")
    protocol = graphene.String(required=True)
    format = graphene.String(required=True)
    endpoint = graphene.String(required=True)
    endpoint_details = graphene.JSONString(required=True)
    description = graphene.String(required=True)
    product = graphene.Field(lambda: DataProductType, required=True)
    upstream_port = graphene.Field(lambda: PortType, description="The output port this input port consumes.")
    consumers = graphene.List(
        graphene.NonNull(lambda: PortType),
        required=True,
        description="Input ports of other products consuming this output port.",
    )
    datasets = CountedConnectionField("apps.catalog.graphql.dataset_types.DatasetConnection")

    def resolve_product(port, info):
        return loader(info, L.ProductById).load(port.product_id)

    def resolve_upstream_port(port, info):
        return loader(info, L.PortById).load(port.upstream_port_id)

    def resolve_consumers(port, info):
        return loader(info, L.ConsumerPortsByPort).load_for(port)

    def resolve_datasets(port, info, **args):
        return loader(info, L.DatasetsByPort).load_for(port)


class PortConnection(CountedConnection):
    class Meta:
        node = PortType


class ProductLineageEdge(graphene.ObjectType):
    """``upstream`` feeds ``downstream``; ``via`` says how we know (port, dataset)."""

    upstream = graphene.Field(lambda: DataProductType, required=True)
    downstream = graphene.Field(lambda: DataProductType, required=True)
    via = graphene.List(graphene.NonNull(graphene.String), required=True)


class ProductLineage(graphene.ObjectType):
    """Product-to-product lineage derived from ports and dataset lineage."""

    products = graphene.List(graphene.NonNull(lambda: DataProductType), required=True)
    edges = graphene.List(graphene.NonNull(ProductLineageEdge), required=True)
    truncated = graphene.Boolean(required=True)


class DataProductType(graphene.ObjectType):
    """A domain-owned data product."""

    class Meta:
        name = "DataProduct"

    id = graphene.ID(required=True)
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    summary = graphene.String(required=True)
    description = graphene.String(required=True, description="Markdown.")
    lifecycle = graphene.String(required=True)
    classification = graphene.String(required=True)
    revision = graphene.Int(required=True, description="Send it back as expectedRevision to detect concurrent edits.")
    cost_per_month = graphene.Decimal()
    cost_currency = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)
    url = graphene.String(required=True)
    domain = graphene.Field(DomainType, required=True)
    tags = graphene.List(graphene.NonNull(graphene.String), required=True)
    ports = CountedConnectionField(PortConnection, direction=graphene.String(description="input | output"))
    owners = CountedConnectionField(OwnershipConnection)
    lineage = graphene.Field(
        ProductLineage,
        required=True,
        direction=LineageDirection(default_value=BOTH),
        depth=graphene.Int(default_value=1),
    )
    history = CountedConnectionField(ChangeConnection)

    def resolve_url(product, info):
        return product.get_absolute_url()

    def resolve_domain(product, info):
        return loader(info, L.DomainById).load(product.domain_id)

    def resolve_tags(product, info):
        return [t.slug for t in loader(info, L.TagsByProduct).load_for(product)]

    def resolve_ports(product, info, direction=None, **args):
        ports = loader(info, L.PortsByProduct).load_for(product)
        return [p for p in ports if p.direction == direction] if direction else ports

    def resolve_owners(product, info, **args):
        return loader(info, L.OwnershipsByProduct).load_for(product)

    def resolve_lineage(product, info, direction=BOTH, depth=1):
        walk = product_walk([product.pk], getattr(direction, "value", direction), depth)
        products = loader(info, L.ProductById).load_many(list(walk.distance))
        by_id = {p.pk: p for p in products if p is not None}
        edges = [
            ProductLineageEdge(upstream=by_id[u], downstream=by_id[d], via=via)
            for (u, d), via in walk.edges.items()
            if u in by_id and d in by_id
        ]
        return ProductLineage(products=list(by_id.values()), edges=edges, truncated=walk.truncated)

    def resolve_history(product, info, **args):
        return history_for(product).order_by("-time", "-id")


class DataProductConnection(CountedConnection):
    class Meta:
        node = DataProductType


class DomainConnection(CountedConnection):
    class Meta:
        node = DomainType


class TeamConnection(CountedConnection):
    class Meta:
        node = TeamType
