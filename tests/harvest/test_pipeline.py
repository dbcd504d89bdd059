"""The pipeline on hand-made records: upserts, diffs, schema changes, removals, lineage, quality."""

from datetime import UTC, datetime

import pytest

from apps.catalog.models import (
    Column,
    ColumnLineageEdge,
    Dataset,
    LineageEdge,
    QualityResult,
    SchemaChange,
    SchemaVersion,
)
from apps.catalog.testing import make_mesh
from apps.core.models import ObjectChange
from apps.harvest.models import Source
from apps.harvest.pipeline import FailSafeError, reconcile
from apps.harvest.records import (
    ColumnLineageRecord,
    ColumnRecord,
    DatasetRecord,
    DatasetRef,
    LineageRecord,
    OwnershipHint,
    QualityRecord,
    SampleQueryRecord,
)

pytestmark = pytest.mark.django_db
NS = "postgres://db.example:5432"


def ref(name):
    return DatasetRef(NS, f"shop.{name}")


def table(name, *cols, kind="table"):
    columns = tuple(
        ColumnRecord(name=c[0], ordinal=i, data_type=c[1], nullable=c[2] if len(c) > 2 else True)
        for i, c in enumerate(cols, start=1)
    )
    return DatasetRecord(ref=ref(name), platform="postgres", kind=kind, columns=columns)


@pytest.fixture
def source():
    return Source.objects.create(name="shop", kind="postgres", config={"dsn": "postgresql://x@db.example/shop"})


def base_records():
    return [
        table("sales.orders", ("id", "bigint", False), ("amount", "numeric(10,2)", False), ("note", "text")),
        table("sales.customers", ("id", "bigint", False), ("email", "text")),
        table("sales.order_totals", ("customer_id", "bigint"), ("total", "numeric"), kind="view"),
        LineageRecord(upstream=ref("sales.orders"), downstream=ref("sales.order_totals"), evidence="view_sql"),
        ColumnLineageRecord(
            upstream=ref("sales.orders"),
            upstream_column="amount",
            downstream=ref("sales.order_totals"),
            downstream_column="total",
            evidence="view_sql",
            transformation="aggregation",
        ),
    ]


def test_first_harvest_adds_datasets_columns_and_lineage(source):
    report = reconcile(source, base_records())
    assert report.counts["datasets_added"] == 3
    assert report.counts["columns_added"] == 7
    assert Dataset.objects.filter(source=source).count() == 3
    assert LineageEdge.objects.get().downstream.name == "shop.sales.order_totals"
    edge = ColumnLineageEdge.objects.select_related("upstream", "downstream").get()
    assert (edge.upstream.name, edge.downstream.name, edge.transformation) == ("amount", "total", "aggregation")
    assert SchemaVersion.objects.count() == 3
    assert not SchemaChange.objects.exists()  # a first harvest is a baseline, not a change


def test_unchanged_reharvest_writes_nothing(source, django_assert_max_num_queries):
    reconcile(source, base_records())
    before = (
        SchemaVersion.objects.count(),
        ObjectChange.objects.count(),
        list(Dataset.objects.values_list("pk", "last_seen_at")),
    )
    with django_assert_max_num_queries(8) as ctx:
        report = reconcile(source, base_records())
    assert not [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert report.counts["datasets_unchanged"] == 3 and report.counts.get("datasets_changed", 0) == 0
    assert (
        SchemaVersion.objects.count(),
        ObjectChange.objects.count(),
        list(Dataset.objects.values_list("pk", "last_seen_at")),
    ) == before


def test_changed_columns_are_classified_breaking_or_not(source):
    reconcile(source, base_records())
    records = base_records()
    records[0] = table(
        "sales.orders", ("id", "integer", False), ("amount", "numeric(10,2)", True), ("placed_at", "timestamptz")
    )
    records[2] = table("sales.order_totals", ("customer_id", "bigint"), ("total", "numeric"), kind="view")
    report = reconcile(source, records)
    changes = {
        (c.change_type, c.column_name): c.is_breaking
        for c in SchemaChange.objects.filter(dataset__name="shop.sales.orders")
    }
    assert changes == {
        ("type_changed", "id"): True,
        ("nullability_changed", "amount"): True,
        ("column_removed", "note"): True,
        ("column_added", "placed_at"): False,
    }
    assert report.counts["datasets_changed"] == 1
    assert SchemaVersion.objects.filter(dataset__name="shop.sales.orders").values_list("version", flat=True).order_by(
        "version"
    )[::1] == [1, 2]


def test_disappeared_dataset_is_soft_deleted_and_lineage_dropped(source):
    reconcile(source, base_records())
    records = [
        r
        for r in base_records()
        if not isinstance(r, (LineageRecord, ColumnLineageRecord)) and r.ref.name != "shop.sales.customers"
    ]
    report = reconcile(source, records)
    gone = Dataset.objects.get(name="shop.sales.customers")
    assert gone.removed_at is not None and report.counts["datasets_removed"] == 1
    assert SchemaChange.objects.get(dataset=gone).change_type == "dataset_removed"
    assert not LineageEdge.objects.exists() and not ColumnLineageEdge.objects.exists()
    reconcile(source, base_records())
    assert Dataset.objects.get(name="shop.sales.customers").removed_at is None


def test_fail_safe_refuses_to_remove_most_datasets(source):
    reconcile(source, base_records())
    with pytest.raises(FailSafeError, match="remove 2 of the 3"):
        reconcile(source, base_records()[:1])
    assert Dataset.objects.live().count() == 3
    reconcile(source, base_records()[:1], allow_removals=True)
    assert Dataset.objects.live().count() == 1


def test_failed_reconcile_leaves_catalog_unchanged(source):
    reconcile(source, base_records())
    snapshot = list(Column.objects.order_by("pk").values_list("pk", "name", "data_type"))
    bad = [table("sales.orders", ("id", "integer", False)), "not a record"]
    with pytest.raises(TypeError):
        reconcile(source, bad)
    assert list(Column.objects.order_by("pk").values_list("pk", "name", "data_type")) == snapshot


def test_quality_results_are_appended_never_overwritten(source):
    reconcile(source, base_records())
    check = {
        "dataset": ref("sales.orders"),
        "key": "test.not_null_orders_id",
        "name": "not_null_orders_id",
        "check_type": "not_null",
        "category": "completeness",
        "column_name": "id",
    }
    recs = base_records()
    reconcile(
        source,
        [*recs, QualityRecord(**check, status="pass", run_key="inv-1", observed_at=datetime(2026, 1, 1, tzinfo=UTC))],
    )
    reconcile(
        source,
        [
            *recs,
            QualityRecord(
                **check, status="fail", run_key="inv-2", failures=3, observed_at=datetime(2026, 1, 2, tzinfo=UTC)
            ),
        ],
    )
    reconcile(
        source,
        [
            *recs,
            QualityRecord(
                **check, status="fail", run_key="inv-2", failures=3, observed_at=datetime(2026, 1, 2, tzinfo=UTC)
            ),
        ],
    )
    assert list(QualityResult.objects.order_by("observed_at").values_list("run_key", "status")) == [
        ("inv-1", "pass"),
        ("inv-2", "fail"),
    ]


def test_mapping_rules_place_datasets_through_catalog_actions():
    mesh = make_mesh()
    source = Source.objects.create(
        name="shop",
        kind="postgres",
        mapping_rules=[
            {"schema": "sales", "domain": "sales"},
            {"name": "shop.sales.order*", "product": "orders", "port": "warehouse"},
        ],
    )
    hints = [
        OwnershipHint(dataset=ref("sales.customers"), owner="nobody@example.com", data_product="leads"),
        SampleQueryRecord(dataset=ref("sales.orders"), name="recent", sql="select id from sales.orders"),
    ]
    report = reconcile(source, [*base_records(), *hints])
    assert set(Dataset.objects.filter(domain=mesh.sales).values_list("short_name", flat=True)) == {
        "orders",
        "customers",
        "order_totals",
    }
    port = mesh.orders.ports.get(name="warehouse")
    assert sorted(port.datasets.values_list("short_name", flat=True)) == ["order_totals", "orders"]
    assert ObjectChange.objects.filter(actor_label="harvest:shop", via="harvest").exists()
    assert any(w["code"] == "unknown_owner" for w in report.warnings)
    assert list(Dataset.objects.get(short_name="orders").sample_queries.values_list("title", "origin")) == [
        ("recent", "dbt")
    ]
    assert mesh.leads.ports.get(name="shop").datasets.get().short_name == "customers"


def test_report_deduplicates_and_caps_its_messages():
    from apps.harvest.pipeline.report import MAX_MESSAGES, RunReport

    report = RunReport()
    for _ in range(3):
        report.warn("view_sql_unparsed", "could not parse", "db.s.v")
    for i in range(MAX_MESSAGES + 5):
        report.warn("lineage_unresolved", f"missing {i}")
    warnings = report.bounded_warnings()
    assert warnings[0] == {"code": "view_sql_unparsed", "message": "could not parse", "subject": "db.s.v", "count": 3}
    assert len(warnings) == MAX_MESSAGES + 1 and warnings[-1]["code"] == "truncated" and warnings[-1]["count"] == 6


def _first_harvest_records(scale: int) -> list:
    records = []
    schema = f"s{scale}"  # each size harvests its own tables
    for i in range(3 * scale):
        records.append(table(f"{schema}.t{i}", ("id", "bigint", False), ("v", "text")))
        if i:
            records.append(
                LineageRecord(upstream=ref(f"{schema}.t{i - 1}"), downstream=ref(f"{schema}.t{i}"), evidence="view_sql")
            )
            records.append(
                ColumnLineageRecord(
                    upstream=ref(f"{schema}.t{i - 1}"),
                    upstream_column="v",
                    downstream=ref(f"{schema}.t{i}"),
                    downstream_column="v",
                    evidence="view_sql",
                )
            )
    return records


def test_reconcile_issues_the_same_number_of_queries_whatever_the_size():
    """No per-row queries: 3 tables or 30 tables with lineage and constraints cost the same.

    Both sizes are measured in one test, after a warm-up harvest, so that caches other
    tests may or may not have filled (content types) cannot make the counts differ.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reconcile(Source.objects.create(name="warm-up", kind="postgres"), [table("w.t", ("id", "bigint", False))])
    counts = {}
    for scale in (1, 10):
        source = Source.objects.create(name=f"shop-{scale}", kind="postgres")
        with CaptureQueriesContext(connection) as queries:
            reconcile(source, _first_harvest_records(scale))
        counts[scale] = len(queries)
        assert Dataset.objects.filter(source=source).count() == 3 * scale
    assert counts[1] == counts[10], counts
    assert counts[1] <= MAX_QUERIES_FOR_FIRST_HARVEST, counts


# savepoints, link/lookup reads, and per bulk upsert: create temp, copy, insert, drop
MAX_QUERIES_FOR_FIRST_HARVEST = 40
