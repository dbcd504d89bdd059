"""GraphQL types of the catalog's technical side: datasets, columns, lineage, quality, schema."""

import graphene

from apps.catalog.graphql import dataloaders as L
from apps.catalog.graphql.lineage import BOTH, column_walk, dataset_walk
from apps.catalog.graphql.types import LineageDirection
from mesh_catalog.graphql.connections import CountedConnection, CountedConnectionField
from mesh_catalog.graphql.dataloaders import loader


class ColumnType(graphene.ObjectType):
    """A column of a dataset, with its one-hop column lineage."""

    class Meta:
        name = "Column"

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    ordinal = graphene.Int(required=True)
    data_type = graphene.String(required=True)
    nullable = graphene.Boolean(required=True)
    description = graphene.String(required=True)
    is_primary_key = graphene.Boolean(required=True)
    tags = graphene.List(graphene.NonNull(graphene.String), required=True)
    dataset = graphene.Field(lambda: DatasetType, required=True)
    upstream = graphene.List(graphene.NonNull(lambda: ColumnLineageEdgeType), required=True)
    downstream = graphene.List(graphene.NonNull(lambda: ColumnLineageEdgeType), required=True)

    def resolve_dataset(column, info):
        return loader(info, L.DatasetById).load(column.dataset_id)

    def resolve_upstream(column, info):
        return loader(info, L.UpstreamColumnEdgesByColumn).load_for(column)

    def resolve_downstream(column, info):
        return loader(info, L.DownstreamColumnEdgesByColumn).load_for(column)


class ColumnLineageEdgeType(graphene.ObjectType):
    """Column ``upstream`` contributes to column ``downstream``."""

    class Meta:
        name = "ColumnLineageEdge"

    upstream = graphene.Field(ColumnType, required=True)
    downstream = graphene.Field(ColumnType, required=True)
    transformation = graphene.String(required=True)


class ColumnConnection(CountedConnection):
    class Meta:
        node = ColumnType


class LineageEdgeType(graphene.ObjectType):
    """Dataset ``upstream`` feeds ``downstream``; ``evidence`` says how we know."""

    class Meta:
        name = "LineageEdge"

    upstream = graphene.Field(lambda: DatasetType, required=True)
    downstream = graphene.Field(lambda: DatasetType, required=True)
    evidence = graphene.List(graphene.NonNull(graphene.String), required=True)

    def resolve_evidence(edge, info):
        return edge.evidence if isinstance(edge.evidence, list) else [edge.evidence]


class LineageGraph(graphene.ObjectType):
    """Datasets around a start dataset and the edges between them, ``depth`` hops out."""

    nodes = graphene.List(graphene.NonNull(lambda: DatasetType), required=True)
    edges = graphene.List(graphene.NonNull(LineageEdgeType), required=True)
    truncated = graphene.Boolean(required=True, description="True when the walk stopped at its node limit.")


class ColumnLineageGraph(graphene.ObjectType):
    """Columns around a start column and the edges between them."""

    columns = graphene.List(graphene.NonNull(ColumnType), required=True)
    edges = graphene.List(graphene.NonNull(ColumnLineageEdgeType), required=True)
    truncated = graphene.Boolean(required=True)


class QualityResultType(graphene.ObjectType):
    """One outcome of a quality check (a dbt test run, a freshness check)."""

    class Meta:
        name = "QualityResult"

    id = graphene.ID(required=True)
    status = graphene.String(required=True, description="pass | warn | fail | error | skipped")
    observed_at = graphene.DateTime(required=True)
    run_key = graphene.String(required=True)
    failures = graphene.Float()
    message = graphene.String(required=True)


class QualityResultConnection(CountedConnection):
    class Meta:
        node = QualityResultType


class QualityCheckType(graphene.ObjectType):
    """A quality check, its latest outcome and its history of results."""

    class Meta:
        name = "QualityCheck"

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    column_name = graphene.String(required=True)
    check_type = graphene.String(required=True)
    category = graphene.String(required=True)
    latest_status = graphene.String()
    latest_observed_at = graphene.DateTime()
    results = CountedConnectionField(QualityResultConnection)

    def resolve_results(check, info, **args):
        return loader(info, L.ResultsByQualityCheck).load_for(check)


class QualityCheckConnection(CountedConnection):
    class Meta:
        node = QualityCheckType


class SchemaVersionType(graphene.ObjectType):
    """The column list of a dataset as of one harvest."""

    class Meta:
        name = "SchemaVersion"

    id = graphene.ID(required=True)
    version = graphene.Int(required=True)
    schema_hash = graphene.String(required=True)
    columns = graphene.JSONString(required=True)
    created_at = graphene.DateTime(required=True)


class SchemaVersionConnection(CountedConnection):
    class Meta:
        node = SchemaVersionType


class SchemaChangeType(graphene.ObjectType):
    """One change between schema versions, flagged when it can break readers."""

    class Meta:
        name = "SchemaChange"

    id = graphene.ID(required=True)
    change_type = graphene.String(required=True)
    column_name = graphene.String(required=True)
    before = graphene.JSONString()
    after = graphene.JSONString()
    is_breaking = graphene.Boolean(required=True)
    detected_at = graphene.DateTime(required=True)


class SchemaChangeConnection(CountedConnection):
    class Meta:
        node = SchemaChangeType


class DatasetType(graphene.ObjectType):
    """A harvested dataset, identified by (namespace, name) as OpenLineage names it."""

    class Meta:
        name = "Dataset"

    id = graphene.ID(required=True)
    namespace = graphene.String(required=True)
    name = graphene.String(required=True)
    qualified_name = graphene.String(required=True)
    short_name = graphene.String(required=True)
    platform = graphene.String(required=True)
    kind = graphene.String(required=True)
    description = graphene.String(required=True)
    owner = graphene.String(required=True, description="Owner as the source reports it.")
    row_estimate = graphene.Float()
    size_bytes = graphene.Float()
    last_modified_at = graphene.DateTime()
    removed_at = graphene.DateTime()
    url = graphene.String(required=True)
    columns = CountedConnectionField(ColumnConnection)
    products = graphene.List(graphene.NonNull("apps.catalog.graphql.types.DataProductType"), required=True)
    upstream = graphene.List(graphene.NonNull(LineageEdgeType), required=True, description="One hop up.")
    downstream = graphene.List(graphene.NonNull(LineageEdgeType), required=True, description="One hop down.")
    lineage = graphene.Field(
        LineageGraph, required=True, direction=LineageDirection(default_value=BOTH), depth=graphene.Int(default_value=1)
    )
    quality_checks = CountedConnectionField(QualityCheckConnection)
    schema_versions = CountedConnectionField(SchemaVersionConnection)
    schema_changes = CountedConnectionField(SchemaChangeConnection, breaking_only=graphene.Boolean(default_value=False))

    def resolve_url(dataset, info):
        return dataset.get_absolute_url()

    def resolve_columns(dataset, info, **args):
        return loader(info, L.ColumnsByDataset).load_for(dataset)

    def resolve_products(dataset, info):
        return loader(info, L.ProductsByDataset).load_for(dataset)

    def resolve_upstream(dataset, info):
        return [
            LineageEdgeType(upstream=e.upstream, downstream=dataset, evidence=e.evidence)
            for e in loader(info, L.UpstreamEdgesByDataset).load_for(dataset)
        ]

    def resolve_downstream(dataset, info):
        return [
            LineageEdgeType(upstream=dataset, downstream=e.downstream, evidence=e.evidence)
            for e in loader(info, L.DownstreamEdgesByDataset).load_for(dataset)
        ]

    def resolve_lineage(dataset, info, direction=BOTH, depth=1):
        return lineage_graph(info, [dataset.pk], getattr(direction, "value", direction), depth)

    def resolve_quality_checks(dataset, info, **args):
        return loader(info, L.QualityChecksByDataset).load_for(dataset)

    def resolve_schema_versions(dataset, info, **args):
        return loader(info, L.SchemaVersionsByDataset).load_for(dataset)

    def resolve_schema_changes(dataset, info, breaking_only=False, **args):
        changes = loader(info, L.SchemaChangesByDataset).load_for(dataset)
        return [c for c in changes if c.is_breaking] if breaking_only else changes


class DatasetConnection(CountedConnection):
    class Meta:
        node = DatasetType


def lineage_graph(info, dataset_ids, direction, depth) -> LineageGraph:
    walk = dataset_walk(dataset_ids, direction, depth)
    datasets = {d.pk: d for d in loader(info, L.DatasetById).load_many(list(walk.distance)) if d is not None}
    edges = [
        LineageEdgeType(upstream=datasets[u], downstream=datasets[d], evidence=ev)
        for (u, d), ev in walk.edges.items()
        if u in datasets and d in datasets
    ]
    return LineageGraph(nodes=list(datasets.values()), edges=edges, truncated=walk.truncated)


def column_lineage_graph(info, column_ids, direction, depth) -> ColumnLineageGraph:
    from apps.catalog.models import Column

    walk = column_walk(column_ids, direction, depth)
    columns = {c.pk: c for c in Column.objects.filter(pk__in=list(walk.distance))}
    edges = [
        ColumnLineageEdgeType(upstream=columns[u], downstream=columns[d], transformation=",".join(t for t in tr if t))
        for (u, d), tr in walk.edges.items()
        if u in columns and d in columns
    ]
    return ColumnLineageGraph(columns=list(columns.values()), edges=edges, truncated=walk.truncated)
