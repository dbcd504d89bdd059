"""GraphQL types and queries of harvest sources and runs.

A source shows which secrets are set (``secretKeys``), never their values; there is no
field through which a secret could be selected. Its configuration (DSNs, hosts, roles,
paths) and mapping rules are for admins only: ``null`` for everyone else.
"""

import graphene

from apps.core.actors import is_admin
from apps.harvest.models import HarvestRun, Source
from mesh_catalog.graphql.connections import CountedConnection, CountedConnectionField
from mesh_catalog.graphql.dataloaders import Loader, group_rows, loader


class RunsBySource(Loader):
    many = True

    def batch_load(self, keys):
        return group_rows(
            HarvestRun.objects.filter(source_id__in=keys).order_by("-queued_at", "-id"), lambda r: r.source_id
        )


class SourceById(Loader):
    def batch_load(self, keys):
        return {s.pk: s for s in Source.objects.filter(pk__in=keys)}


class HarvestRunType(graphene.ObjectType):
    """One harvest: status, timings, counts, bounded warnings and errors."""

    class Meta:
        name = "HarvestRun"

    id = graphene.ID(required=True)
    status = graphene.String(required=True)
    triggered_by = graphene.String(required=True)
    queued_at = graphene.DateTime(required=True)
    started_at = graphene.DateTime()
    finished_at = graphene.DateTime()
    timings = graphene.JSONString(required=True)
    counts = graphene.JSONString(required=True)
    warnings = graphene.JSONString(required=True)
    errors = graphene.JSONString(required=True)
    source = graphene.Field(lambda: SourceType, required=True)

    def resolve_source(run, info):
        return loader(info, SourceById).load(run.source_id)


class HarvestRunConnection(CountedConnection):
    class Meta:
        node = HarvestRunType


class SourceType(graphene.ObjectType):
    """A configured harvest source, without secrets."""

    class Meta:
        name = "Source"

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    kind = graphene.String(required=True)
    description = graphene.String(required=True)
    config = graphene.JSONString(description="Non-secret settings; admins only (null for others).")
    secret_keys = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="Names of the secrets that are set; values are never exposed.",
    )
    mapping_rules = graphene.JSONString(description="Mapping rules; admins only (null for others).")
    schedule = graphene.String(required=True)
    enabled = graphene.Boolean(required=True)
    runs = CountedConnectionField(HarvestRunConnection)

    def resolve_config(source, info):
        return source.config if is_admin(info.context.user) else None

    def resolve_mapping_rules(source, info):
        return source.mapping_rules if is_admin(info.context.user) else None

    def resolve_runs(source, info, **args):
        return loader(info, RunsBySource).load_for(source)


class SourceConnection(CountedConnection):
    class Meta:
        node = SourceType


class HarvestQuery(graphene.ObjectType):
    """Sources and their runs."""

    sources = CountedConnectionField(SourceConnection, kind=graphene.String())
    source = graphene.Field(SourceType, name=graphene.String(required=True))
    harvest_runs = CountedConnectionField(HarvestRunConnection, source=graphene.String(), status=graphene.String())
    harvest_run = graphene.Field(HarvestRunType, id=graphene.ID(required=True))

    def resolve_sources(root, info, kind=None, **args):
        queryset = Source.objects.order_by("name")
        return queryset.filter(kind=kind) if kind else queryset

    def resolve_source(root, info, name):
        return Source.objects.filter(name=name).first()

    def resolve_harvest_runs(root, info, source=None, status=None, **args):
        queryset = HarvestRun.objects.order_by("-queued_at", "-id")
        if source:
            queryset = queryset.filter(source__name=source)
        if status:
            queryset = queryset.filter(status=status)
        return queryset

    def resolve_harvest_run(root, info, id):
        return HarvestRun.objects.filter(pk=id).first() if str(id).isdigit() else None
