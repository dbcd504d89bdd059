"""The dataset page: columns, keys and relationships, lineage, schema history, provenance."""

from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, render

from apps.catalog.annotations import annotate_columns
from apps.catalog.models import (
    ColumnLineageEdge,
    Dataset,
    DatasetConstraint,
    LineageEdge,
    PortDataset,
    QualityCheck,
    QualityResult,
    SchemaChange,
    SchemaVersion,
)
from apps.catalog.views.common import reader_required

COLUMNS_PER_PAGE = 250
SCHEMA_CHANGES_LIMIT = 50
LINEAGE_LIST_LIMIT = 100


@reader_required
def dataset_detail(request, pk):
    dataset = get_object_or_404(Dataset.objects.select_related("source").prefetch_related("tags"), pk=pk)
    columns_page = Paginator(dataset.columns.order_by("ordinal", "name"), COLUMNS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    latest = QualityResult.objects.filter(quality_check=OuterRef("pk")).order_by("-observed_at")
    checks = list(
        QualityCheck.objects.filter(dataset=dataset, removed_at__isnull=True)
        .annotate(
            last_status=Subquery(latest.values("status")[:1]),
            last_observed_at=Subquery(latest.values("observed_at")[:1]),
        )
        .order_by("column_name", "name")
    )
    tests_by_column = defaultdict(list)
    for check in checks:
        tests_by_column[check.column_name].append(check)
    constraints = list(
        DatasetConstraint.objects.filter(dataset=dataset)
        .select_related("referenced_dataset")
        .only(
            "name",
            "kind",
            "columns",
            "referenced_columns",
            "definition",
            "referenced_dataset__id",
            "referenced_dataset__name",
        )
    )
    foreign_keys = [c for c in constraints if c.kind == DatasetConstraint.Kind.FOREIGN_KEY]
    fk_columns = {col for fk in foreign_keys for col in fk.columns}
    columns = list(columns_page.object_list)
    for column in columns:
        column.tests = tests_by_column.get(column.name, [])
        column.is_foreign_key = column.name in fk_columns
    annotate_columns(dataset, columns)  # e.g. pii:email tags from apps.privacy
    referencing = list(
        DatasetConstraint.objects.filter(referenced_dataset=dataset, kind=DatasetConstraint.Kind.FOREIGN_KEY)
        .select_related("dataset")
        .only("name", "columns", "referenced_columns", "dataset__id", "dataset__name")
    )
    column_edges_in = list(
        ColumnLineageEdge.objects.filter(downstream__dataset=dataset)
        .select_related("upstream__dataset", "downstream")
        .only(
            "transformation",
            "evidence",
            "downstream__name",
            "upstream__name",
            "upstream__dataset__id",
            "upstream__dataset__name",
        )
        .order_by("downstream__ordinal", "upstream__dataset__name", "upstream__name")[:500]
    )
    context = {
        "dataset": dataset,
        "columns": columns,
        "columns_page": columns_page,
        "table_tests": tests_by_column.get("", []),
        "constraints": [c for c in constraints if c.kind != DatasetConstraint.Kind.FOREIGN_KEY],
        "foreign_keys": foreign_keys,
        "referencing": referencing,
        "upstream": _lineage_neighbours(dataset, upstream=True),
        "downstream": _lineage_neighbours(dataset, upstream=False),
        "column_edges_in": column_edges_in,
        "schema_versions": list(
            SchemaVersion.objects.filter(dataset=dataset)
            .only("version", "created_at", "schema_hash", "harvest_run_id")
            .order_by("-version")[:20]
        ),
        "schema_changes": list(
            SchemaChange.objects.filter(dataset=dataset)
            .select_related("schema_version")
            .order_by("-detected_at", "id")[:SCHEMA_CHANGES_LIMIT]
        ),
        "port_links": list(
            PortDataset.objects.filter(dataset=dataset)
            .select_related("port__product__domain")
            .order_by("port__product__name", "port__name")
        ),
    }
    return render(request, "catalog/dataset_detail.html", context)


def _lineage_neighbours(dataset, *, upstream: bool) -> list[dict]:
    """Direct upstream or downstream datasets with the evidence kinds, one query."""
    if upstream:
        edges = LineageEdge.objects.filter(downstream=dataset).values(
            "upstream_id", "upstream__name", "upstream__namespace", "upstream__removed_at", "evidence"
        )
        key = "upstream"
    else:
        edges = LineageEdge.objects.filter(upstream=dataset).values(
            "downstream_id", "downstream__name", "downstream__namespace", "downstream__removed_at", "evidence"
        )
        key = "downstream"
    merged: dict[int, dict] = {}
    for row in edges.order_by(f"{key}__name")[: LINEAGE_LIST_LIMIT * 3]:
        item = merged.setdefault(
            row[f"{key}_id"],
            {
                "id": row[f"{key}_id"],
                "name": row[f"{key}__name"],
                "namespace": row[f"{key}__namespace"],
                "removed": row[f"{key}__removed_at"] is not None,
                "evidence": [],
            },
        )
        item["evidence"].append(row["evidence"])
    return list(merged.values())[:LINEAGE_LIST_LIMIT]
