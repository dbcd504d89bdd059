"""GraphQL of the lab: a port's sample queries, most-used products, sample query mutations.

Compose with ``class Query(LabQuery, …)`` and ``class Mutation(LabMutation, …)``. Running
queries is deliberately not exposed here: the runner is reached through the page (and
its log) only.
"""

import graphene
from django.conf import settings

from apps.catalog.graphql.types import DataProductType
from apps.catalog.models import Dataset, Port, PortDirection
from apps.catalog.permissions import can_edit_product
from apps.core.errors import NotFoundError
from apps.lab import actions
from apps.lab.models import SampleQuery
from apps.lab.panel import build_panel
from apps.lab.stats import most_used_products
from mesh_catalog.graphql.mutations import VIA, ActionMutation


class LabQueryType(graphene.ObjectType):
    """A sample query of an output port: curated, from dbt, or a generated starter."""

    class Meta:
        name = "SampleQuery"

    id = graphene.ID(description="Null for generated starter queries and dbt queries kept in dataset properties.")
    title = graphene.String(required=True)
    description = graphene.String(required=True)
    sql = graphene.String(required=True)
    origin = graphene.String(required=True, description="curated | dbt | generated")
    dataset_name = graphene.String(required=True)
    problems = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="Why the query no longer matches the harvested schema (e.g. a dropped column).",
    )

    def resolve_id(q, info):
        return q.pk


class ProductUsageType(graphene.ObjectType):
    """How much a product is queried in the lab (successful runs in the last 30 days)."""

    class Meta:
        name = "ProductUsage"

    product = graphene.Field(DataProductType, required=True)
    run_count = graphene.Int(required=True)
    user_count = graphene.Int(required=True)
    last_run_at = graphene.DateTime()


def _readable(user) -> bool:
    return settings.MESH_PUBLIC_READ or getattr(user, "is_authenticated", False)


class LabQuery(graphene.ObjectType):
    """Sample queries and usage."""

    sample_queries = graphene.List(graphene.NonNull(LabQueryType), required=True, port=graphene.ID(required=True))
    most_used_products = graphene.List(
        graphene.NonNull(ProductUsageType), required=True, limit=graphene.Int(default_value=5)
    )

    def resolve_sample_queries(root, info, port):
        if not _readable(info.context.user) or not str(port).isdigit():
            return []
        found = Port.objects.select_related("product__domain").filter(pk=port, direction=PortDirection.OUTPUT).first()
        return build_panel(found, info.context.user)["queries"] if found else []

    def resolve_most_used_products(root, info, limit=5):
        if not _readable(info.context.user):
            return []
        return [
            ProductUsageType(product=p, run_count=p.run_count, user_count=p.user_count, last_run_at=p.last_run_at)
            for p in most_used_products(limit=max(1, min(limit, 50)))
        ]


def _port(port_id) -> Port:
    found = (
        Port.objects.select_related("product__domain").filter(pk=port_id).first() if str(port_id).isdigit() else None
    )
    if found is None:
        raise NotFoundError(f"No port '{port_id}'.", field="port")
    return found


def _sample(query_id) -> SampleQuery:
    found = (
        SampleQuery.objects.select_related("port__product").filter(pk=query_id).first()
        if str(query_id).isdigit()
        else None
    )
    if found is None:
        raise NotFoundError(f"No sample query '{query_id}'.", field="id")
    return found


def _dataset(dataset_id):
    if dataset_id in (None, ""):
        return None
    found = Dataset.objects.filter(pk=dataset_id).first() if str(dataset_id).isdigit() else None
    if found is None:
        raise NotFoundError(f"No dataset '{dataset_id}'.", field="dataset")
    return found


def _shown(q: SampleQuery):
    from apps.lab.panel import ShownQuery

    return ShownQuery(
        key=f"q{q.pk}",
        title=q.title,
        sql=q.sql,
        description=q.description,
        origin=q.origin,
        pk=q.pk,
        dataset_name=q.dataset.short_name if q.dataset_id else "",
    )


class CreateSampleQuery(ActionMutation):
    """Add a curated sample query to an output port (product editors); SQL validated on save."""

    class Arguments:
        port = graphene.ID(required=True)
        title = graphene.String(required=True)
        sql = graphene.String(required=True)
        description = graphene.String()
        dataset = graphene.ID()

    sample_query = graphene.Field(LabQueryType)
    permission = staticmethod(lambda user, port: can_edit_product(user, port.product))

    @classmethod
    def get_target(cls, info, port, **args):
        return _port(port)

    @classmethod
    def perform(cls, info, target, title, sql, description="", dataset=None, **args):
        q = actions.create_sample_query(
            info.context.user,
            target,
            title=title,
            sql=sql,
            description=description or "",
            dataset=_dataset(dataset),
            via=VIA,
        )
        return {"sample_query": _shown(q)}


class UpdateSampleQuery(ActionMutation):
    """Edit a curated sample query's title, description or SQL."""

    class Arguments:
        id = graphene.ID(required=True)
        title = graphene.String()
        sql = graphene.String()
        description = graphene.String()

    sample_query = graphene.Field(LabQueryType)
    permission = staticmethod(lambda user, q: q.port_id is not None and can_edit_product(user, q.port.product))

    @classmethod
    def get_target(cls, info, id, **args):
        return _sample(id)

    @classmethod
    def perform(cls, info, target, **args):
        fields = {k: v for k, v in args.items() if k in ("title", "sql", "description") and v is not None}
        return {"sample_query": _shown(actions.update_sample_query(info.context.user, target, via=VIA, **fields))}


class DeleteSampleQuery(ActionMutation):
    """Delete a curated sample query."""

    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID()
    permission = staticmethod(lambda user, q: q.port_id is not None and can_edit_product(user, q.port.product))

    @classmethod
    def get_target(cls, info, id, **args):
        return _sample(id)

    @classmethod
    def perform(cls, info, target, **args):
        pk = target.pk
        actions.delete_sample_query(info.context.user, target, via=VIA)
        return {"deleted_id": pk}


class LabMutation(graphene.ObjectType):
    create_sample_query = CreateSampleQuery.Field()
    update_sample_query = UpdateSampleQuery.Field()
    delete_sample_query = DeleteSampleQuery.Field()


Query = LabQuery
Mutation = LabMutation
