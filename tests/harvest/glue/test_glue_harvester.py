"""The glue harvester against moto's real HTTP server (and botocore's Stubber for paging)."""

import pytest

from apps.harvest.harvesters.base import ConfigError
from apps.harvest.harvesters.glue import GlueHarvester
from apps.harvest.records import ColumnLineageRecord, DatasetRecord, DatasetRef, HarvestWarning, LineageRecord
from tests.harvest.glue.conftest import NAMESPACE, REGION


def harvester(endpoint: str, **config) -> GlueHarvester:
    return GlueHarvester(
        "lake", GlueHarvester.validate_config({"region": REGION, "endpoint_url": endpoint, **config}), {}
    )


def by_type(records, cls):
    return [r for r in records if isinstance(r, cls)]


def test_tables_views_and_columns_are_named_as_openlineage_does(glue_catalog):
    records = list(harvester(glue_catalog).extract())
    datasets = {r.ref.name: r for r in by_type(records, DatasetRecord)}
    assert sorted(datasets) == [
        "table/marketing_lake/campaign_orders",
        "table/marketing_lake/campaigns",
        "table/marketing_lake/delta_customers_view",
        "table/sales_lake/broken_view",
        "table/sales_lake/customers_delta",
        "table/sales_lake/orders",
        "table/sales_lake/paid_orders",
        "table/sales_lake/payments",
        "table/tmp_scratch/scratch_table",
    ]
    assert {r.ref.namespace for r in datasets.values()} == {NAMESPACE}
    orders = datasets["table/sales_lake/orders"]
    assert [(c.name, c.data_type, c.tags) for c in orders.columns] == [
        ("order_id", "bigint", ()),
        ("customer_id", "bigint", ()),
        ("amount", "decimal(12,2)", ()),
        ("status", "string", ()),
        ("dt", "string", ("partition_key",)),
    ]
    assert orders.columns[0].description == "Primary key of the order."
    assert (orders.kind, orders.owner, orders.row_estimate, orders.description) == (
        "external_table",
        "sales-data@example.com",
        1200,
        "One row per order, partitioned by day.",
    )
    glue = orders.properties["glue"]
    assert (
        glue["location"] == "s3://mesh-lake/sales/orders/"
        and glue["format"] == "parquet"
        and glue["table_type"] == "EXTERNAL_TABLE"
    )
    assert glue["partition_keys"] == ["dt"] and glue["partition_count"] == 5
    assert "transient_lastDdlTime" not in glue["parameters"] and glue["parameters"]["classification"] == "parquet"


def test_iceberg_and_delta_tables_are_recognised(glue_catalog):
    datasets = {r.ref.name: r for r in by_type(harvester(glue_catalog).extract(), DatasetRecord)}
    assert datasets["table/sales_lake/payments"].properties["glue"]["format"] == "iceberg"
    assert datasets["table/sales_lake/payments"].tags == ("iceberg",)
    assert datasets["table/sales_lake/customers_delta"].properties["glue"]["format"] == "delta"
    assert datasets["table/marketing_lake/campaigns"].properties["glue"]["format"] == "json"


def test_athena_view_sql_gives_table_and_column_lineage(glue_catalog):
    records = list(harvester(glue_catalog).extract())
    view = DatasetRef(NAMESPACE, "table/sales_lake/paid_orders")
    edges = {(r.upstream.name, r.downstream.name) for r in by_type(records, LineageRecord)}
    assert edges == {
        ("table/sales_lake/orders", "table/sales_lake/paid_orders"),
        ("table/sales_lake/payments", "table/sales_lake/paid_orders"),  # unqualified: the view's own database
        ("table/sales_lake/orders", "table/marketing_lake/campaign_orders"),  # awsdatacatalog.sales_lake.orders
        ("table/marketing_lake/campaigns", "table/marketing_lake/campaign_orders"),
        ("table/sales_lake/customers_delta", "table/marketing_lake/delta_customers_view"),  # a Spark view's plain SQL
    }
    columns = {
        (r.downstream_column, r.upstream.name, r.upstream_column, r.transformation)
        for r in by_type(records, ColumnLineageRecord)
        if r.downstream == view
    }
    assert columns == {
        ("order_id", "table/sales_lake/orders", "order_id", "identity"),
        ("customer_id", "table/sales_lake/orders", "customer_id", "identity"),
        ("status", "table/sales_lake/orders", "status", "identity"),
        ("paid_amount", "table/sales_lake/payments", "amount", "aggregation"),
    }
    datasets = {r.ref.name: r for r in by_type(records, DatasetRecord)}
    assert datasets["table/sales_lake/paid_orders"].kind == "view"
    assert "sum(p.amount)" in datasets["table/sales_lake/paid_orders"].properties["glue"]["view_sql"]


def test_hive_view_text_gives_column_lineage(glue_catalog):
    records = list(harvester(glue_catalog).extract())
    columns = {
        (r.downstream_column, r.upstream.name, r.upstream_column, r.transformation)
        for r in by_type(records, ColumnLineageRecord)
        if r.downstream.name.endswith("/delta_customers_view")
    }
    assert columns == {
        ("customer_id", "table/sales_lake/customers_delta", "customer_id", "identity"),
        ("email", "table/sales_lake/customers_delta", "email", "expression"),
    }


def test_unparseable_view_keeps_its_dataset_and_gets_a_warning(glue_catalog):
    records = list(harvester(glue_catalog).extract())
    warnings = [w for w in by_type(records, HarvestWarning) if w.code == "glue_view_unparsed"]
    assert [w.subject for w in warnings] == ["table/sales_lake/broken_view"]
    assert any(r.ref.name == "table/sales_lake/broken_view" for r in by_type(records, DatasetRecord))


def test_include_and_exclude_globs_select_databases(glue_catalog):
    records = harvester(glue_catalog, include_databases=["*_lake"], exclude_databases=["market*"]).extract()
    assert {r.properties["glue"]["database"] for r in by_type(records, DatasetRecord)} == {"sales_lake"}


def test_partition_count_stops_at_the_limit(glue_catalog):
    orders = next(
        r
        for r in harvester(glue_catalog, partition_count_limit=3).extract()
        if isinstance(r, DatasetRecord) and r.ref.name.endswith("/orders")
    )
    assert (
        orders.properties["glue"]["partition_count"] == 3
        and orders.properties["glue"]["partition_count_capped"] is True
    )


def test_connection_check_passes_on_a_reachable_catalog(glue_catalog):
    check = harvester(glue_catalog).test_connection()
    assert check.ok, check.message


def test_connection_check_says_the_endpoint_is_unreachable():
    h = harvester("http://127.0.0.1:9")  # discard port: nothing listens
    h.backoff_base, h.botocore_max_attempts = 0.01, 1
    check = h.test_connection()
    assert not check.ok and check.stage == "refused" and "cannot reach" in check.message


def test_credentials_are_refused_as_config_keys():
    with pytest.raises(ConfigError) as caught:
        GlueHarvester.validate_config({"region": REGION, "aws_secret_access_key": "x", "catalog_id": "12"})
    assert "source's secrets" in caught.value.errors["aws_secret_access_key"][0]
    assert caught.value.errors["catalog_id"] == ["must be a 12-digit AWS account id"]
