"""dbt artifacts of a real build, through the shared pipeline, into the catalog."""

import orjson
import pytest

from apps.catalog.models import ColumnLineageEdge, Dataset, LineageEdge, QualityCheck, QualityResult, SchemaChange
from apps.core.testing import SYSTEM
from apps.harvest.actions import create_source, trigger_harvest
from apps.lab.models import SampleQuery
from tests.harvest.dbt.conftest import NAMESPACE, WAREHOUSE_DB, dbt_config

pytestmark = pytest.mark.django_db

FAILING_TEST = "test.mesh_demo.intentionally_failing_accepted_values_preferred_payment_method.65981d0198"


def dbt_source(path, name="dbt-demo", **config):
    return create_source(SYSTEM, name=name, kind="dbt", config=dbt_config(path, **config), via="tests")


def harvest(source):
    run = trigger_harvest(SYSTEM, source, run_async=False)
    assert run.errors == [], run.errors
    return run


def name(table: str) -> str:
    return f"{WAREHOUSE_DB}.{table}"


def test_real_artifacts_become_datasets_lineage_tests_and_freshness(dbt_artifacts):
    run = harvest(dbt_source(dbt_artifacts))
    assert run.status == "succeeded"
    datasets = {d.name: d for d in Dataset.objects.filter(namespace=NAMESPACE)}
    assert len(datasets) == 16 and name("analytics.int_order_payments") not in datasets  # ephemeral: not a dataset
    orders = datasets[name("sales.orders")]
    assert orders.kind == "table" and orders.platform == "postgres" and orders.owner == "sales-analytics@example.com"
    assert orders.properties["dbt"]["unique_id"] == "model.mesh_demo.orders"
    assert orders.properties["dbt"]["contract"]["enforced"] is True
    assert sorted(SampleQuery.objects.filter(dataset=orders, origin="dbt").values_list("title", flat=True)) == [
        "Open orders",
        "Revenue by month",
    ]
    columns = {c.name: c for c in orders.columns.all()}
    assert (
        columns["order_total"].data_type == "numeric(12,2)"
        and columns["order_id"].is_primary_key
        and not columns["order_id"].nullable
    )
    assert columns["order_id"].description == "Primary key of the order."
    assert datasets[name("staging.stg_orders")].kind == "view"

    edges = set(LineageEdge.objects.filter(evidence="dbt").values_list("upstream__name", "downstream__name"))
    assert (name("staging.stg_payments"), name("sales.orders")) in edges  # through the ephemeral int_order_payments
    assert (name("raw.orders"), name("staging.stg_orders")) in edges and len(edges) == 17
    column_edges = set(
        ColumnLineageEdge.objects.filter(downstream__dataset=orders).values_list(
            "upstream__dataset__name", "upstream__name", "downstream__name", "transformation"
        )
    )
    assert (name("staging.stg_payments"), "amount", "amount_paid", "aggregation") in column_edges
    assert (name("staging.stg_orders"), "order_id", "order_id", "identity") in column_edges

    failing = QualityCheck.objects.get(key=FAILING_TEST)
    assert (failing.dataset.name, failing.column_name, failing.category) == (
        name("marketing.customer_segments"),
        "preferred_payment_method",
        "validity",
    )
    assert list(failing.results.values_list("status", "failures")) == [("fail", 1)]
    assert QualityResult.objects.filter(quality_check__source__name="dbt-demo", status="fail").count() == 1
    freshness = QualityCheck.objects.get(key="source.mesh_demo.shop_raw.payments.freshness")
    assert (freshness.category, freshness.results.get().status) == ("timeliness", "warn")
    clv = datasets[name("sales.customer_lifetime_value")]
    assert clv.properties["consumers"][0]["name"] == "Executive sales dashboard"


def test_unchanged_reharvest_writes_nothing(dbt_artifacts):
    source = dbt_source(dbt_artifacts)
    harvest(source)
    counts = harvest(source).counts
    assert counts["datasets_unchanged"] == 16 and counts["datasets_added"] == counts["datasets_changed"] == 0
    assert counts["lineage_edges_added"] == counts["column_lineage_edges_added"] == counts["quality_results_added"] == 0


def test_artifacts_of_a_second_invocation_append_results(artifacts_copy):
    source = dbt_source(artifacts_copy)
    harvest(source)
    run_results = orjson.loads((artifacts_copy / "run_results.json").read_bytes())
    first_invocation = run_results["metadata"]["invocation_id"]
    run_results["metadata"]["invocation_id"] = "second-invocation"
    for result in run_results["results"]:
        if result["unique_id"] == FAILING_TEST:
            later = [{"name": "execute", "started_at": "2030-01-01T00:00:00Z", "completed_at": "2030-01-01T00:00:01Z"}]
            result.update(status="pass", failures=0, message="", timing=later)
    (artifacts_copy / "run_results.json").write_bytes(orjson.dumps(run_results))
    counts = harvest(source).counts
    check = QualityCheck.objects.get(key=FAILING_TEST)
    assert set(check.results.values_list("run_key", "status")) == {
        (first_invocation, "fail"),
        ("second-invocation", "pass"),
    }
    assert check.results.first().status == "pass"  # the latest result
    assert (
        counts["quality_results_added"] == 44
    )  # one new result per test (43) and unit test (1) of the second invocation


def test_broken_artifacts_fail_the_run_and_leave_the_catalog_as_it_was(artifacts_copy):
    source = dbt_source(artifacts_copy)
    harvest(source)
    before = sorted(Dataset.objects.values_list("name", "schema_hash", "removed_at"))
    manifest = artifacts_copy / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[:5000])
    run = trigger_harvest(SYSTEM, source, run_async=False)
    assert run.status == "failed"
    assert run.errors[0]["code"] == "artifacts" and run.errors[0]["message"].startswith(
        "manifest.json: is not valid JSON"
    )
    assert sorted(Dataset.objects.values_list("name", "schema_hash", "removed_at")) == before


@pytest.mark.parametrize("dbt_first", [False, True])
def test_dbt_model_and_postgres_table_are_one_dataset(dbt_artifacts, dbt_first):
    warehouse = create_source(
        SYSTEM,
        name="warehouse",
        kind="postgres",
        via="tests",
        config={
            "dsn": f"postgresql://postgres@127.0.0.1:5432/{WAREHOUSE_DB}",
            "include_schemas": ["raw", "staging", "sales", "marketing", "finance", "snapshots"],
        },
    )
    dbt = dbt_source(dbt_artifacts)
    for source in (dbt, warehouse) if dbt_first else (warehouse, dbt):
        harvest(source)
    # Both describe the same physical columns: the second harvest changes no schema.
    assert (
        list(
            SchemaChange.objects.exclude(change_type="dataset_added").values_list(
                "dataset__name", "column_name", "change_type"
            )
        )
        == []
    )
    orders = Dataset.objects.get(namespace=NAMESPACE, name=name("sales.orders"))
    assert set(orders.source_links.values_list("source__name", flat=True)) == {"warehouse", "dbt-demo"}
    assert orders.description.startswith("Sales data product")  # from dbt
    assert orders.properties["dbt"]["unique_id"] == "model.mesh_demo.orders"
    assert orders.columns.count() == 9
    assert (
        Dataset.objects.filter(namespace=NAMESPACE, name__startswith=f"{WAREHOUSE_DB}.").count()
        == Dataset.objects.filter(source_links__source=warehouse).count()
    )
