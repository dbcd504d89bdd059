"""The PostgreSQL harvester end to end against a real source database it creates and drops."""

import json
import os
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import Dataset, SchemaChange, SchemaVersion
from apps.catalog.testing import make_mesh
from apps.core.models import ObjectChange
from apps.core.testing import SYSTEM
from apps.harvest import actions
from apps.harvest.harvesters.postgres import PostgresHarvester
from apps.harvest.models import RunStatus
from tests.harvest.pg_source import SERVER_URL, execute, source_database

pytestmark = pytest.mark.django_db
GOLDEN = Path(settings.BASE_DIR) / "fixtures" / "golden" / "postgres_shop_export.json"


@pytest.fixture
def shop():
    with source_database() as (dsn, dbname, role):
        yield dsn, dbname, role


@pytest.fixture
def source(shop):
    return actions.create_source(SYSTEM, name="shop", kind="postgres", config={"dsn": shop[0]})


def harvest(source, **kwargs):
    return actions.trigger_harvest(SYSTEM, source, triggered_by="test", run_async=False, **kwargs)


def export() -> dict:
    from io import StringIO

    out = StringIO()
    call_command("export_catalog", stdout=out)
    return json.loads(out.getvalue())


def normalised(data: dict, shop) -> str:
    """Host, port, database and role differ per run; the golden file names them by role."""
    _, dbname, role = shop
    host = SERVER_URL.split("@", 1)[1].rsplit("/", 1)[0]
    text = json.dumps(data, indent=2, sort_keys=False)
    return (
        text.replace(f"postgres://{host}", "postgres://HOST:PORT")
        .replace(dbname, "SOURCE_DB")
        .replace(role, "HARVESTER")
        + "\n"
    )


def test_export_of_a_harvested_database_matches_the_golden_file(source, shop):
    make_mesh()
    rules = [
        {"schema": "sales", "domain": "sales"},
        {"schema": "marketing", "domain": "marketing"},
        {"name": "*.sales.customer*", "product": "orders", "port": "warehouse"},
    ]
    source = actions.update_source(SYSTEM, source, mapping_rules=rules)
    run = harvest(source)
    assert run.status == RunStatus.PARTIAL, run.errors  # one schema could not be read
    text = normalised(export(), shop)
    if os.environ.get("MESH_REGEN_GOLDEN") == "1":
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text(), "export differs from the golden file (MESH_REGEN_GOLDEN=1 regenerates it)"


def test_partitions_roll_up_and_every_relation_kind_is_harvested(source, shop):
    harvest(source)
    kinds = dict(Dataset.objects.values_list("short_name", "kind"))
    assert kinds == {
        "customers": "table",
        "orders": "partitioned_table",
        "customer_totals": "view",
        "big_customers": "view",
        "order_payroll_mix": "view",
        "daily_revenue": "materialized_view",
        "orders_2026": "view",
        "late_alphabet": "view",
        "campaigns": "table",
        "leads_file": "foreign_table",
    }
    orders = Dataset.objects.get(short_name="orders")
    assert orders.row_estimate == 3 and orders.size_bytes > 0 and orders.properties["postgres"]["partitions"] == 2
    assert orders.description == "Every order, partitioned by year"
    cols = {c.name: c for c in orders.columns.all()}
    assert cols["amount_with_tax"].is_generated and cols["amount_with_tax"].default == "(amount * 1.2)"
    assert cols["id"].is_primary_key and not cols["id"].nullable and cols["amount"].data_type == "numeric(10,2)"
    fk = orders.constraints.get(kind="foreign_key")
    assert fk.referenced_dataset.short_name == "customers" and fk.referenced_columns == ["id"]
    assert Dataset.objects.get(short_name="customers").columns.get(name="email").description == "Login e-mail address"


def test_view_lineage_is_parsed_and_unparseable_sql_falls_back_to_dependencies(source, shop):
    run = harvest(source)
    late = Dataset.objects.get(short_name="late_alphabet")
    assert list(late.upstream_edges.values_list("upstream__short_name", "evidence")) == [
        ("customers", "catalog_dependency")
    ]
    assert any(
        w["code"] == "view_sql_unparsed" and w["subject"].endswith("marketing.late_alphabet") for w in run.warnings
    )
    partition_view = Dataset.objects.get(short_name="orders_2026")
    assert list(partition_view.upstream_edges.values_list("upstream__short_name", flat=True)) == [
        "orders"
    ]  # partition → root
    big = Dataset.objects.get(short_name="big_customers")
    assert list(big.upstream_edges.values_list("upstream__short_name", flat=True)) == [
        "customer_totals"
    ]  # view on view
    email_upper = big.columns.get(name="email_upper").upstream_edges.get()
    assert (email_upper.upstream.dataset.short_name, email_upper.upstream.name, email_upper.transformation) == (
        "customer_totals",
        "email",
        "expression",
    )


def test_schema_without_usage_is_skipped_with_a_warning(source):
    run = harvest(source)
    assert not Dataset.objects.filter(name__contains=".secret.").exists()
    assert {"code": "schema_skipped", "subject": "secret"}.items() <= next(
        w for w in run.warnings if w["code"] == "schema_skipped"
    ).items()


def test_source_queries_do_not_grow_with_the_number_of_tables(source, shop):
    first = harvest(source)
    execute(
        shop[1],
        "create schema extra; "
        + " ".join(f"create table extra.t{i} (id int primary key, v text);" for i in range(40))
        + f' grant usage on schema extra to "{shop[2]}"',
    )
    second = harvest(source)
    assert second.counts["datasets_added"] == 40
    # schemas, the digests and the five fact queries; with digests known, the digests are
    # read in two parts on two connections sharing one snapshot (exported, then imported).
    assert (first.counts["source_queries"], second.counts["source_queries"]) == (7, 10)


def test_unchanged_reharvest_writes_nothing(source):
    harvest(source)
    versions, changes, history = (
        SchemaVersion.objects.count(),
        SchemaChange.objects.count(),
        ObjectChange.objects.count(),
    )
    rows = list(Dataset.objects.order_by("pk").values_list("pk", "last_seen_at", "schema_hash"))
    with CaptureQueriesContext(connection) as ctx:
        run = harvest(source)
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
        and "harvest_harvestrun" not in q["sql"]
    ]
    assert writes == []
    assert run.counts["datasets_unchanged"] == 10 and run.counts.get("datasets_changed", 0) == 0
    assert (SchemaVersion.objects.count(), SchemaChange.objects.count(), ObjectChange.objects.count()) == (
        versions,
        changes,
        history,
    )
    assert list(Dataset.objects.order_by("pk").values_list("pk", "last_seen_at", "schema_hash")) == rows


def test_dropping_a_column_is_a_breaking_change(source, shop):
    harvest(source)
    execute(shop[1], "alter table sales.customers drop column name; alter table sales.customers add column phone text")
    run = harvest(source)
    assert run.counts["datasets_changed"] == 1 and run.counts["breaking_changes"] == 1
    changes = {
        (c.change_type, c.column_name, c.is_breaking)
        for c in SchemaChange.objects.filter(dataset__short_name="customers")
    }
    assert changes == {("column_removed", "name", True), ("column_added", "phone", False)}
    assert SchemaVersion.objects.filter(dataset__short_name="customers").count() == 2


def test_renaming_a_table_soft_deletes_one_dataset_and_adds_another(source, shop):
    harvest(source)
    execute(shop[1], "alter table marketing.campaigns rename to outreach")
    run = harvest(source)
    assert run.counts["datasets_added"] == 1 and run.counts["datasets_removed"] == 1
    assert Dataset.objects.get(short_name="campaigns").removed_at is not None
    assert Dataset.objects.get(short_name="outreach").removed_at is None
    assert "campaigns" not in {d["name"].rsplit(".", 1)[-1] for d in export()["datasets"]}


def test_fail_safe_stops_a_run_that_would_delete_most_datasets(source, shop):
    harvest(source)
    before = export()
    execute(shop[1], "drop schema sales cascade")
    run = harvest(source)
    assert run.status == RunStatus.FAILED
    assert run.errors[0]["code"] == "fail_safe" and "Nothing was changed" in run.errors[0]["message"]
    assert export() == before
    forced = harvest(source, allow_removals=True)
    assert forced.counts["datasets_removed"] == 8  # sales and the views on it


def test_source_going_down_mid_run_fails_cleanly_and_changes_nothing(source, shop, monkeypatch):
    harvest(source)
    execute(shop[1], "alter table sales.customers add column phone text")
    before = export()

    def kill_after_relations(name, conn):
        if name == "relations":
            with psycopg.connect(SERVER_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
                admin.execute("select pg_terminate_backend(%s)", [conn.info.backend_pid])

    monkeypatch.setattr(PostgresHarvester, "query_hook", staticmethod(kill_after_relations))
    run = harvest(source)
    assert run.status == RunStatus.FAILED
    assert run.errors[0]["code"] == "connection_lost", run.errors
    assert export() == before
