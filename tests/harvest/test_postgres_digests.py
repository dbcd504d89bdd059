"""Re-harvesting PostgreSQL by server-side digest: unchanged relations are not read again, and
what is read incrementally equals what a full read finds (against a real source database)."""

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import Column, ColumnLineageEdge, Dataset, LineageEdge
from apps.core.testing import SYSTEM
from apps.harvest import actions
from apps.harvest.models import SourceDataset
from tests.harvest.pg_source import SERVER_URL, execute, source_database
from tests.harvest.test_postgres import export

pytestmark = pytest.mark.django_db

UNCHANGED_QUERIES = 5  # schemas, pg_export_snapshot, SET TRANSACTION SNAPSHOT, two parts of the digests


@pytest.fixture
def shop():
    with source_database() as (dsn, dbname, role):
        yield dsn, dbname, role


@pytest.fixture
def source(shop):
    return actions.create_source(SYSTEM, name="shop", kind="postgres", config={"dsn": shop[0]})


@pytest.fixture(params=["hashed", "as-text"])
def flavour(request, monkeypatch):
    """Both digest queries: hashes (PostgreSQL 14+) and md5 of the rows' text (12 and 13)."""
    from apps.harvest.harvesters.postgres import queries

    if request.param == "as-text":
        monkeypatch.setattr(queries, "HASHED_SINCE", 10**9)
    return request.param


def harvest(source, **kwargs):
    return actions.trigger_harvest(SYSTEM, source, triggered_by="test", run_async=False, **kwargs)


def lineage_state():
    return (
        sorted(LineageEdge.objects.values_list("upstream__name", "downstream__name", "evidence")),
        sorted(
            ColumnLineageEdge.objects.values_list(
                "upstream__dataset__name", "upstream__name", "downstream__dataset__name", "downstream__name"
            )
        ),
    )


def test_every_link_stores_the_source_digest(source):
    harvest(source)
    digests = list(SourceDataset.objects.values_list("source_digest", flat=True))
    assert len(digests) == 10 and all(len(d) == 32 for d in digests)


def test_unchanged_reharvest_reads_only_the_digests_and_keeps_lineage(source):
    first = harvest(source)
    before, lineage = export(), lineage_state()
    assert lineage[0] and lineage[1]
    with CaptureQueriesContext(connection) as catalog:
        second = harvest(source)
    # Nothing was re-read: the column edges are counted, not fetched by excluding kept columns.
    edge_reads = [q["sql"] for q in catalog.captured_queries if 'FROM "catalog_columnlineageedge"' in q["sql"]]
    assert edge_reads and all(q.startswith("SELECT COUNT(*)") for q in edge_reads), edge_reads
    # schemas, the snapshot exported and imported, the digests in two parts: no relation,
    # column or constraint rows are read.
    assert second.counts["source_queries"] == UNCHANGED_QUERIES < first.counts["source_queries"]
    assert second.counts["datasets_unchanged"] == 10 and second.counts.get("datasets_changed", 0) == 0
    assert second.counts["lineage_edges"] == first.counts["lineage_edges"]
    assert second.counts["column_lineage_edges"] == first.counts["column_lineage_edges"]
    assert second.counts.get("lineage_edges_removed", 0) == second.counts.get("column_lineage_edges_removed", 0) == 0
    assert export() == before and lineage_state() == lineage


def test_incremental_reharvest_equals_a_full_read(source, shop, flavour):
    harvest(source)
    execute(
        shop[1],
        "alter table sales.customers add column loyalty_tier text;"  # upstream of views: they are re-read
        " alter table sales.customers rename column email to email_address;"  # named by views and by a FK target
        " comment on view sales.big_customers is 'Changed comment';"
        " alter table marketing.campaigns drop column channel;",
    )
    incremental = harvest(source)
    assert incremental.status in ("succeeded", "partial"), incremental.errors
    assert incremental.counts["source_queries"] > UNCHANGED_QUERIES
    assert incremental.counts["datasets_unchanged"] >= 1  # e.g. the foreign table
    customers = Dataset.objects.get(short_name="customers")
    assert {"loyalty_tier", "email_address"} <= set(customers.columns.values_list("name", flat=True))
    assert not Column.objects.filter(dataset__short_name="campaigns", name="channel").exists()
    assert Dataset.objects.get(short_name="big_customers").description == "Changed comment"
    after, lineage = export(), lineage_state()

    # Forget the digests: a full read of the same source must find nothing left to change.
    SourceDataset.objects.update(source_digest="")
    full = harvest(source)
    assert full.counts["datasets_unchanged"] == 10 and full.counts.get("datasets_changed", 0) == 0
    assert full.counts.get("lineage_edges_added", 0) == full.counts.get("lineage_edges_removed", 0) == 0
    assert full.counts.get("column_lineage_edges_added", 0) == full.counts.get("column_lineage_edges_removed", 0) == 0
    assert export() == after and lineage_state() == lineage
    assert all(SourceDataset.objects.values_list("source_digest", flat=True))  # stored again


def test_a_dropped_relation_is_still_removed_and_the_fail_safe_still_counts(source, shop):
    harvest(source)
    execute(shop[1], "drop foreign table marketing.leads_file;")
    run = harvest(source)
    assert run.counts["datasets_removed"] == 1 and run.counts["datasets_unchanged"] == 9
    assert Dataset.objects.get(short_name="leads_file").removed_at is not None

    execute(shop[1], "drop schema marketing cascade;")
    source.max_removal_share = 0.1
    source.save(update_fields=["max_removal_share"])
    blocked = harvest(source)
    assert blocked.status == "failed" and blocked.errors[0]["code"] == "fail_safe"
    assert Dataset.objects.filter(short_name="campaigns", removed_at__isnull=True).exists()


def test_new_mapping_rules_reach_datasets_reported_unchanged(source):
    from apps.catalog.testing import make_mesh

    make_mesh()
    harvest(source)
    source = actions.update_source(SYSTEM, source, mapping_rules=[{"schema": "sales", "domain": "sales"}])
    run = harvest(source)
    assert run.counts["source_queries"] == UNCHANGED_QUERIES  # nothing was read again...
    placed = set(Dataset.objects.filter(domain__slug="sales").values_list("short_name", flat=True))
    assert {"customers", "orders", "customer_totals"} <= placed  # ...and the rule still applied


def catalog_state():
    """Everything a harvest writes that the digest must keep current, in a comparable form."""
    from apps.catalog.models import DatasetConstraint

    return (
        sorted(Dataset.objects.values_list("name", "description", "owner", "properties", "removed_at")),
        sorted(Column.objects.values_list("dataset__name", "name", "ordinal", "data_type", "nullable", "default")),
        sorted(
            DatasetConstraint.objects.values_list(
                "dataset__name",
                "name",
                "kind",
                "columns",
                "referenced_dataset__name",
                "referenced_columns",
                "definition",
            ),
            key=repr,
        ),
        lineage_state(),
    )


def definition(short_name: str) -> str:
    return Dataset.objects.get(short_name=short_name).properties["postgres"]["definition"]


def constraint_definitions(short_name: str) -> list[str]:
    from apps.catalog.models import DatasetConstraint

    return sorted(DatasetConstraint.objects.filter(dataset__short_name=short_name).values_list("definition", flat=True))


# Facts the digest covers by what determines their text (queries.DIGESTS): a view's definition
# by its rule and the names of what the rule depends on, a constraint's by its row and the
# names of what it references. Each change must reach the catalog on the next (incremental) run.
COVERED_BY_DEPENDENCY_NAMES = [
    pytest.param(
        "create function sales.shout(text) returns text language sql immutable as $$ select upper($1) $$;"
        " create view sales.loud_customers as select sales.shout(c.name) as loud from sales.customers c;",
        "alter function sales.shout(text) rename to yell;",
        lambda: "sales.yell(" in definition("loud_customers"),
        id="function-used-by-a-view-renamed",
    ),
    pytest.param(
        "",
        "alter table sales.orders_2026 rename to orders_y2026;",  # a partition: not a dataset of its own
        lambda: "sales.orders_y2026" in definition("orders_2026"),
        id="partition-read-by-a-view-renamed",
    ),
    pytest.param(
        "",
        "alter table secret.salaries rename to wages;",  # a schema the harvester may not read
        lambda: "secret.wages" in definition("order_payroll_mix"),
        id="unharvested-table-read-by-a-view-renamed",
    ),
    pytest.param(
        "create schema ext; create table ext.regions (code text primary key);"
        " alter table marketing.campaigns add column region text references ext.regions (code);",
        "alter table ext.regions rename column code to region_code;",  # ext is not granted: not harvested
        lambda: any("ext.regions(region_code)" in d for d in constraint_definitions("campaigns")),
        id="unharvested-fk-target-column-renamed",
    ),
    pytest.param(
        "",
        "alter table marketing.campaigns alter constraint campaigns_customer_id_fkey deferrable initially deferred;",
        lambda: any("DEFERRABLE INITIALLY DEFERRED" in d for d in constraint_definitions("campaigns")),
        id="fk-made-deferrable",
    ),
    pytest.param(
        "",
        "alter table sales.customers rename column id to customer_key;",  # named by FKs into it and by views
        lambda: (
            any("sales.customers(customer_key)" in d for d in constraint_definitions("campaigns"))
            and "customer_key" in definition("customer_totals")
        ),
        id="fk-target-column-renamed",
    ),
    pytest.param(
        "",
        "alter table marketing.campaigns alter column channel set default 'sms';",
        lambda: Column.objects.get(dataset__short_name="campaigns", name="channel").default.startswith("'sms'"),
        id="column-default-changed",
    ),
    pytest.param(
        "create type sales.mood as enum ('glad', 'sad'); alter table sales.customers add column mood sales.mood;",
        "alter type sales.mood rename to feeling;",  # a type of its own: digested by name, not only by oid
        lambda: Column.objects.get(dataset__short_name="customers", name="mood").data_type == "sales.feeling",
        id="column-type-renamed",
    ),
    pytest.param(
        "",
        "alter table marketing.campaigns alter column channel type varchar(40);",  # same type oid, new modifier
        lambda: (
            Column.objects.get(dataset__short_name="campaigns", name="channel").data_type == "character varying(40)"
        ),
        id="column-type-modifier-changed",
    ),
    pytest.param(
        "",
        "comment on column sales.orders.amount is 'Before tax';",
        lambda: Column.objects.get(dataset__short_name="orders", name="amount").description == "Before tax",
        id="column-comment-added",
    ),
]


@pytest.mark.parametrize("setup, change, visible", COVERED_BY_DEPENDENCY_NAMES)
def test_a_change_seen_only_through_names_is_harvested_incrementally(source, shop, flavour, setup, change, visible):
    if setup:
        execute(shop[1], setup)
    harvest(source)
    assert not visible()
    execute(shop[1], change)
    incremental = harvest(source)
    assert incremental.status in ("succeeded", "partial"), incremental.errors
    assert incremental.counts.get("datasets_changed", 0) >= 1
    assert visible()
    after = catalog_state()

    SourceDataset.objects.update(source_digest="")  # a full read finds nothing left to change
    full = harvest(source)
    assert full.counts.get("datasets_changed", 0) == 0, full.counts
    assert catalog_state() == after


def test_a_new_digest_scheme_reads_every_relation_once(source, monkeypatch):
    """Digests stored by an older scheme (or server version) match none: everything is read
    again, finds nothing to change, and the next run is incremental again."""
    from apps.harvest.harvesters.postgres import queries

    harvest(source)
    before = catalog_state()
    monkeypatch.setattr(queries, "SCHEME", "pg-next")
    again = harvest(source)
    assert again.counts["source_queries"] == UNCHANGED_QUERIES + 5  # and every fact query, unrestricted
    assert again.counts.get("datasets_changed", 0) == 0 and catalog_state() == before
    assert harvest(source).counts["source_queries"] == UNCHANGED_QUERIES


def test_a_first_harvest_whose_digest_query_fails_writes_nothing(source, monkeypatch):
    """On a first harvest the digests are computed on a second thread while records are
    built: a connection lost there fails the run like any other query."""
    from apps.harvest.harvesters.postgres import PostgresHarvester

    def kill_during_digests(name, conn):
        if name == "partitions":  # the last fact query: the digests come next, on the other thread
            with psycopg.connect(SERVER_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
                admin.execute("select pg_terminate_backend(%s)", [conn.info.backend_pid])

    monkeypatch.setattr(PostgresHarvester, "query_hook", staticmethod(kill_during_digests))
    run = harvest(source)
    assert run.status == "failed" and run.errors[0]["code"] == "connection_lost", run.errors
    assert not Dataset.objects.exists() and not SourceDataset.objects.exists()

    monkeypatch.setattr(PostgresHarvester, "query_hook", None)
    again = harvest(source)
    assert again.status in ("succeeded", "partial") and again.counts["datasets_added"] == 10


# --- Digests read in two parts, on two connections sharing one snapshot ----------------------


def test_both_parts_of_the_digests_read_one_snapshot(source, shop, monkeypatch):
    """DDL committed after the main connection exported its snapshot, before the helper
    imported it, is invisible to both parts: the run sees one catalog state."""
    from apps.harvest.harvesters.postgres import PostgresHarvester

    harvest(source)
    before = catalog_state()
    calls = []

    def change_after_export(name, conn):
        calls.append(name)
        if calls.count("snapshot") == 1:  # the export, on the main connection
            execute(
                shop[1],
                "alter table sales.customers add column tier text; alter table marketing.campaigns add column tier text;"
                " alter table sales.orders add column tier text; alter foreign table marketing.leads_file add column tier text;"
                " create table sales.newcomer (id int);",  # every table: whichever part each falls in
            )

    monkeypatch.setattr(PostgresHarvester, "query_hook", staticmethod(change_after_export))
    run = harvest(source)
    # Exported, imported; two parts; no relation changed in that state, so no fact was read (a
    # part read in a later state would store digests of changes its records do not hold).
    assert calls[:2] == ["schemas", "snapshot"], calls  # then the two threads, in either order
    assert sorted(calls[2:]) == ["digests", "digests", "snapshot"], calls
    assert run.counts["source_queries"] == UNCHANGED_QUERIES
    assert run.counts["datasets_unchanged"] == 10 and catalog_state() == before

    monkeypatch.setattr(PostgresHarvester, "query_hook", None)
    later = harvest(source)  # the next run sees every change (and the views reading those tables)
    assert later.counts["datasets_added"] == 1 and later.counts["datasets_changed"] >= 4, later.counts
    assert set(Column.objects.filter(name="tier").values_list("dataset__short_name", flat=True)) == {
        "customers",
        "campaigns",
        "orders",
        "leads_file",
    }


def test_without_a_second_connection_one_connection_reads_every_part(source, shop):
    harvest(source)
    execute(shop[1], "alter table marketing.campaigns add column tier text;")
    with psycopg.connect(SERVER_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'alter role "{shop[2]}" connection limit 1')  # the helper is refused
    run = harvest(source)
    assert run.status in ("succeeded", "partial"), run.errors
    assert Column.objects.filter(dataset__short_name="campaigns", name="tier").exists()
    after = catalog_state()
    # schemas, the export, both parts of the digests, then the five fact queries (no SET)
    assert run.counts["source_queries"] == UNCHANGED_QUERIES - 1 + 5

    SourceDataset.objects.update(source_digest="")  # a full read finds nothing left to change
    full = harvest(source)
    assert full.counts.get("datasets_changed", 0) == 0 and catalog_state() == after


def test_a_server_that_exports_no_snapshot_is_read_on_one_connection(source, shop, monkeypatch):
    """A hot standby cannot export a snapshot (``EXPORT_SNAPSHOT`` answers null there)."""
    from apps.harvest.harvesters.postgres import queries

    harvest(source)
    execute(shop[1], "alter table marketing.campaigns add column tier text;")
    monkeypatch.setattr(queries, "EXPORT_SNAPSHOT", "select null::text")
    run = harvest(source)
    assert run.status in ("succeeded", "partial"), run.errors
    assert run.counts["source_queries"] == 3 + 5  # schemas, the export, the digests at once; the facts
    assert Column.objects.filter(dataset__short_name="campaigns", name="tier").exists()


def test_a_server_before_14_reads_its_text_digests_on_one_connection(source, monkeypatch):
    from apps.harvest.harvesters.postgres import queries

    monkeypatch.setattr(queries, "HASHED_SINCE", 10**9)  # as PostgreSQL 12 or 13 would be
    harvest(source)
    run = harvest(source)
    assert run.counts["source_queries"] == 2 and run.counts["datasets_unchanged"] == 10  # schemas, digests


def test_a_lost_helper_connection_fails_the_run_and_writes_nothing(source, shop, monkeypatch):
    from apps.harvest.harvesters.postgres import PostgresHarvester

    harvest(source)
    execute(shop[1], "alter table marketing.campaigns add column tier text;")
    before = catalog_state()
    calls = []

    def kill_the_helper(name, conn):
        calls.append(name)
        if calls.count("snapshot") == 2:  # the import, on the helper: its digests query comes next
            with psycopg.connect(SERVER_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
                admin.execute("select pg_terminate_backend(%s)", [conn.info.backend_pid])

    monkeypatch.setattr(PostgresHarvester, "query_hook", staticmethod(kill_the_helper))
    run = harvest(source)
    assert run.status == "failed" and run.errors[0]["code"] == "connection_lost", run.errors
    assert catalog_state() == before
