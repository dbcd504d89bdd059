"""What the dbt harvester reads from real artifacts: owners, placement, queries, exposures, contracts."""

import orjson

from apps.harvest.harvesters.dbt import DbtHarvester
from apps.harvest.records import (
    ColumnLineageRecord,
    ConsumerRecord,
    DatasetRecord,
    HarvestWarning,
    LineageRecord,
    OwnershipHint,
    QualityRecord,
    SampleQueryRecord,
)
from tests.harvest.dbt.conftest import NAMESPACE, WAREHOUSE_DB, dbt_config


def harvest(path, **config) -> tuple[list, dict]:
    harvester = DbtHarvester("dbt-records", DbtHarvester.validate_config(dbt_config(path, **config)), {})
    return list(harvester.extract()), getattr(harvester, "stats", {})


def of(records, cls):
    return [r for r in records if isinstance(r, cls)]


def name(table: str) -> str:
    return f"{WAREHOUSE_DB}.{table}"


def test_meta_and_group_owners_become_ownership_hints(dbt_artifacts):
    records, _ = harvest(dbt_artifacts)
    hints = {h.dataset.name: h for h in of(records, OwnershipHint)}
    orders = hints[name("sales.orders")]
    assert (orders.owner, orders.domain, orders.data_product, orders.classification, orders.group) == (
        "sales-analytics@example.com",
        "sales",
        "orders",
        "internal",
        "sales_analytics",
    )
    assert (
        hints[name("raw.payments")].classification == "confidential"
    )  # the seed speaks for the relation, not the source


def test_meta_keys_are_configurable(dbt_artifacts):
    records, _ = harvest(dbt_artifacts, meta_keys={"domain": "system", "data_product": "unused_key"})
    hints = {h.dataset.name: h for h in of(records, OwnershipHint)}
    assert hints[name("sales.orders")].data_product == "" and hints[name("sales.orders")].domain == ""


def test_meta_queries_become_sample_queries(dbt_artifacts):
    records, _ = harvest(dbt_artifacts)
    queries = {(q.dataset.name, q.name) for q in of(records, SampleQueryRecord)}
    assert queries == {
        (name("sales.orders"), "Revenue by month"),
        (name("sales.orders"), "Open orders"),
        (name("sales.customer_lifetime_value"), "Top customers"),
        (name("sales.customer_lifetime_value"), "Value by country"),
        (name("marketing.customer_segments"), "Segment sizes"),
    }


def test_exposure_consumes_the_datasets_it_depends_on(dbt_artifacts):
    records, _ = harvest(dbt_artifacts)
    [consumer] = of(records, ConsumerRecord)
    assert (consumer.name, consumer.kind, consumer.owner) == (
        "Executive sales dashboard",
        "dashboard",
        "bi-team@example.com",
    )
    assert [r.name for r in consumer.depends_on] == [
        name("finance.daily_revenue"),
        name("sales.customer_lifetime_value"),
    ]


def test_contract_and_constraints_are_recorded(dbt_artifacts):
    records, _ = harvest(dbt_artifacts)
    orders = next(r for r in of(records, DatasetRecord) if r.ref.name == name("sales.orders"))
    assert orders.properties["dbt"]["contract"]["enforced"] is True
    assert {c.kind for c in orders.constraints} == {"primary_key"}
    assert [c.columns for c in orders.constraints] == [("order_id",)]
    assert not next(
        c for c in orders.columns if c.name == "customer_id"
    ).nullable  # not_null constraint of the contract


def test_ephemeral_model_is_no_dataset_but_its_lineage_passes_through(dbt_artifacts):
    records, _ = harvest(dbt_artifacts)
    assert not any("int_order_payments" in r.ref.name for r in of(records, DatasetRecord))
    via = [r.details.get("via") for r in of(records, LineageRecord) if r.downstream.name == name("sales.orders")]
    assert via and all(v == ["model.mesh_demo.int_order_payments"] for v in via)
    paid = {
        (r.upstream.name, r.upstream_column)
        for r in of(records, ColumnLineageRecord)
        if r.downstream.name == name("sales.orders") and r.downstream_column == "amount_paid"
    }
    assert paid == {(name("staging.stg_payments"), "amount")}  # traced through the ephemeral CTE


def test_tests_are_categorised_and_attached_to_their_column(dbt_artifacts):
    records, _ = harvest(dbt_artifacts)
    checks = of(records, QualityRecord)
    categories = {c.check_type: c.category for c in checks}
    assert categories["not_null"] == "completeness" and categories["unique"] == "uniqueness"
    assert (
        categories["relationships"] == "accuracy"
        and categories["accepted_values"] == "validity"
        and categories["freshness"] == "timeliness"
    )
    unique_order_id = next(c for c in checks if c.check_type == "unique" and c.dataset.name == name("sales.orders"))
    assert (
        unique_order_id.column_name == "order_id"
        and unique_order_id.status == "pass"
        and unique_order_id.observed_at is not None
    )


def test_unparseable_model_sql_keeps_table_lineage_and_warns(artifacts_copy):
    path = artifacts_copy / "manifest.json"
    manifest = orjson.loads(path.read_bytes())
    manifest["nodes"]["model.mesh_demo.daily_revenue"]["compiled_code"] = "select from where (("
    path.write_bytes(orjson.dumps(manifest))
    records, _ = harvest(artifacts_copy)
    [warning] = [w for w in of(records, HarvestWarning) if w.code == "dbt_sql_unparsed"]
    assert warning.subject == "model.mesh_demo.daily_revenue" and "table lineage kept" in warning.message
    assert any(r.downstream.name == name("finance.daily_revenue") for r in of(records, LineageRecord))
    assert not any(r.downstream.name == name("finance.daily_revenue") for r in of(records, ColumnLineageRecord))


def test_unchanged_sql_is_not_parsed_again(dbt_artifacts):
    _, first = harvest(dbt_artifacts)
    records, second = harvest(dbt_artifacts)
    assert (first["sql_cached"], first["sql_parsed"], second["sql_cached"], second["sql_parsed"]) == (0, 10, 10, 0)
    assert len(of(records, ColumnLineageRecord)) == 72


def test_namespace_and_lowercase_relation_identity(dbt_artifacts):
    records, _ = harvest(dbt_artifacts)
    refs = {r.ref for r in of(records, DatasetRecord)}
    assert {r.namespace for r in refs} == {NAMESPACE} and all(r.name == r.name.lower() for r in refs)


def test_column_lineage_can_be_switched_off(dbt_artifacts):
    records, _ = harvest(dbt_artifacts, column_lineage=False)
    assert not of(records, ColumnLineageRecord) and of(records, LineageRecord)


def test_unit_tests_are_checks_on_their_model(dbt_artifacts):
    records, _ = harvest(dbt_artifacts)
    [unit] = [q for q in of(records, QualityRecord) if q.check_type == "unit_test"]
    assert (unit.dataset.name, unit.status, unit.category) == (name("marketing.customer_segments"), "pass", "accuracy")


def test_a_model_that_failed_to_build_is_reported(artifacts_copy):
    path = artifacts_copy / "run_results.json"
    run_results = orjson.loads(path.read_bytes())
    for result in run_results["results"]:
        if result["unique_id"] == "model.mesh_demo.daily_revenue":
            result.update(status="error", message="Database Error: relation does not exist")
    path.write_bytes(orjson.dumps(run_results))
    records, _ = harvest(artifacts_copy)
    [warning] = [w for w in of(records, HarvestWarning) if w.code == "dbt_node_not_built"]
    assert warning.subject == "model.mesh_demo.daily_revenue" and "relation does not exist" in warning.message
