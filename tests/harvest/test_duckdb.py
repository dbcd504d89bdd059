"""The DuckDB harvester against a real DuckDB file, through the real pipeline."""

import duckdb
import pytest

from apps.catalog.models import ColumnLineageEdge, Dataset, DatasetConstraint, LineageEdge
from apps.core.duckdb_files import namespace_of
from apps.core.testing import SYSTEM
from apps.harvest import actions
from apps.harvest.harvesters.base import ConfigError
from apps.harvest.harvesters.duckdb import DuckDBHarvester, postgres_query_of_view, validate
from tests.duckdb_warehouse import build_warehouse, fingerprint

pytestmark = pytest.mark.django_db


@pytest.fixture
def warehouse(tmp_path):
    return build_warehouse(tmp_path / "shop.duckdb")


def harvest(path, **config):
    source = actions.create_source(SYSTEM, name="shop-duckdb", kind="duckdb", config={"path": str(path), **config})
    return source, actions.trigger_harvest(SYSTEM, source, run_async=False)


def test_harvest_reads_tables_views_columns_keys_comments_and_row_estimates(warehouse):
    before = fingerprint(warehouse)
    source, run = harvest(warehouse)
    assert run.status == "succeeded", run.errors
    ns = namespace_of(str(warehouse))
    assert ns == f"duckdb://{warehouse}"
    names = set(Dataset.objects.filter(namespace=ns).values_list("name", flat=True))
    assert names == {
        "shop.sales.orders",
        "shop.sales.order_items",
        "shop.sales.big",
        "shop.sales.order_totals",
        "shop.secret.salaries",
    }
    orders = Dataset.objects.get(namespace=ns, name="shop.sales.orders")
    assert (orders.platform, orders.kind, orders.description) == ("duckdb", "table", "One row per order.")
    assert orders.row_estimate == 500
    cols = {c.name: c for c in orders.columns.all()}
    assert [c.name for c in sorted(cols.values(), key=lambda c: c.ordinal)] == [
        "order_id",
        "customer_id",
        "order_date",
        "status",
        "amount",
    ]
    assert cols["order_id"].is_primary_key and not cols["order_id"].nullable
    assert cols["order_id"].description == "Primary key of the order."
    assert cols["amount"].data_type == "DECIMAL(12,2)" and cols["amount"].nullable
    assert cols["status"].default == "'placed'"
    fk = DatasetConstraint.objects.get(dataset__name="shop.sales.order_items", kind="foreign_key")
    assert fk.referenced_dataset == orders and fk.columns == ["order_id"] and fk.referenced_columns == ["order_id"]
    view = Dataset.objects.get(namespace=ns, name="shop.sales.order_totals")
    assert view.kind == "view" and view.description == "What each order is worth."
    ups = set(LineageEdge.objects.filter(downstream=view).values_list("upstream__name", flat=True))
    assert ups == {"shop.sales.orders", "shop.sales.order_items"}
    total = set(
        ColumnLineageEdge.objects.filter(downstream__dataset=view, downstream__name="total").values_list(
            "upstream__dataset__name", "upstream__name"
        )
    )
    assert total == {("shop.sales.order_items", "quantity"), ("shop.sales.order_items", "unit_price")}
    assert fingerprint(warehouse) == before  # harvesting never writes to the file


def test_unchanged_reharvest_writes_nothing_and_a_new_table_is_added(warehouse):
    source, _ = harvest(warehouse)
    run = actions.trigger_harvest(SYSTEM, source, run_async=False)
    assert run.counts.get("datasets_unchanged") == 5 and not run.counts.get("datasets_added")
    con = duckdb.connect(str(warehouse))
    con.execute("CREATE TABLE sales.refunds (refund_id INTEGER)")
    con.close()
    run = actions.trigger_harvest(SYSTEM, source, run_async=False)
    assert run.counts.get("datasets_added") == 1
    assert Dataset.objects.filter(name="shop.sales.refunds").exists()


def test_database_name_and_schema_filters(warehouse):
    _, run = harvest(warehouse, database="lake", exclude_schemas=["secret"])
    assert run.status == "succeeded"
    names = set(Dataset.objects.values_list("name", flat=True))
    assert "lake.sales.orders" in names and not any(n.startswith("lake.secret.") for n in names)


def test_connection_test_names_the_failing_stage(tmp_path, warehouse):
    ok = DuckDBHarvester("s", validate({"path": str(warehouse)}), {}).test_connection()
    assert ok.ok and "read-only" in ok.message and "2 schema(s)" in ok.message
    missing = DuckDBHarvester("s", validate({"path": str(tmp_path / "nope.duckdb")}), {}).test_connection()
    assert (missing.ok, missing.stage) == (False, "path")
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"this is not a database" * 100)
    bad = DuckDBHarvester("s", validate({"path": str(garbage)}), {}).test_connection()
    assert (bad.ok, bad.stage) == (False, "open")
    nothing = DuckDBHarvester("s", validate({"path": str(warehouse), "include_schemas": ["nope"]}), {})
    assert nothing.test_connection().stage == "schemas"


def test_config_errors_name_each_field():
    with pytest.raises(ConfigError) as err:
        validate({"path": "", "host": "x", "include_schemas": "sales"})
    assert set(err.value.errors) == {"path", "host", "include_schemas"}
    with pytest.raises(ConfigError) as err:
        validate({"path": "x" * 1001})
    assert "1000" in err.value.errors["path"][0]
    with pytest.raises(ConfigError):
        validate({"path": "s3://bucket/x.duckdb"})


def test_a_failed_harvest_leaves_the_catalog_as_it_was(tmp_path, warehouse):
    source, _ = harvest(warehouse)
    before = sorted(Dataset.objects.filter(removed_at__isnull=True).values_list("name", flat=True))
    warehouse.write_bytes(b"corrupted" * 1000)
    run = actions.trigger_harvest(SYSTEM, source, run_async=False)
    assert run.status == "failed"
    assert sorted(Dataset.objects.filter(removed_at__isnull=True).values_list("name", flat=True)) == before


def test_view_sql_is_qualified_with_the_views_schema():
    sql = postgres_query_of_view(
        "CREATE VIEW sales.v AS WITH x AS (SELECT * FROM orders) SELECT * FROM x JOIN lake.sales.items USING (id);",
        "sales",
    )
    assert "sales.orders" in sql and "sales.items" in sql and "lake." not in sql and "sales.x" not in sql
