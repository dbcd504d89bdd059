"""The DuckDB lab engine on a real file: sample queries run, hostile SQL is refused or stopped."""

import threading
import time

import pytest
from django.core.cache import cache
from django.test import override_settings

from apps.catalog import actions as catalog_actions
from apps.catalog.models import Dataset
from apps.core.testing import SYSTEM, make_mesh
from apps.harvest import actions as harvest_actions
from apps.lab import runner
from apps.lab.engines import ENGINES, resolve
from apps.lab.engines.duckdb import DuckDBEngine, DuckDBReader
from apps.lab.models import QueryRun, RunStatus
from apps.lab.panel import build_panel
from tests.duckdb_warehouse import build_warehouse, fingerprint

pytestmark = pytest.mark.django_db


@pytest.fixture
def duck(tmp_path):
    """make_mesh() plus a harvested DuckDB file and port orders:orders-tables on three of its tables."""
    from types import SimpleNamespace

    cache.clear()
    path = build_warehouse(tmp_path / "shop.duckdb")
    mesh = make_mesh()
    source = harvest_actions.create_source(SYSTEM, name="shop", kind="duckdb", config={"path": str(path)})
    run = harvest_actions.trigger_harvest(SYSTEM, source, run_async=False)
    assert run.status == "succeeded", run.errors
    tables = Dataset.objects.filter(name__in=["shop.sales.orders", "shop.sales.order_items", "shop.sales.big"])
    port = catalog_actions.create_port(
        SYSTEM, mesh.orders, name="orders-tables", direction="output", protocol="file", datasets=list(tables)
    )
    return SimpleNamespace(**vars(mesh), path=path, port=port, source=source, before=fingerprint(path))


def run(duck, sql, **kwargs):
    return runner.run_query(duck.consumer, duck.port, sql, **kwargs)


def test_the_engine_is_picked_from_the_datasets_namespace(duck):
    resolution = resolve(duck.port)
    assert resolution.engine is ENGINES["duckdb"] and resolution.runnable
    assert resolution.reader == DuckDBReader(source_name="shop", path=str(duck.path), database="shop")
    assert sorted(t.sql_name for t in resolution.tables) == ["sales.big", "sales.order_items", "sales.orders"]


def test_a_query_returns_columns_and_rows_and_is_logged(duck):
    result = run(duck, "SELECT order_id, amount FROM sales.orders ORDER BY order_id LIMIT 3")
    assert result.ok, result.error
    assert result.columns == ["order_id", "amount"]
    assert [r[0] for r in result.rows] == [1, 2, 3]
    logged = QueryRun.objects.get(token=result.run.token)
    assert (logged.status, logged.rows, logged.truncated) == (RunStatus.SUCCEEDED, 3, False)


@pytest.mark.parametrize(
    "sql, hint",
    [
        ("SELECT * FROM read_csv('/etc/passwd')", "read_csv"),
        ("SELECT * FROM read_csv_auto('/etc/passwd')", "read_csv_auto"),
        ("SELECT * FROM read_parquet('/tmp/x.parquet')", "read_parquet"),
        ("SELECT * FROM read_json('/tmp/x.json')", "read_json"),
        ("SELECT * FROM read_text('/etc/hostname')", "read_text"),
        ("SELECT * FROM glob('/etc/*')", "glob"),
        ("SELECT * FROM query('SELECT * FROM secret.salaries')", "query"),
        ("SELECT getenv('HOME')", "getenv"),
        ("SELECT current_setting('enable_external_access')", "current_setting"),
        ("SELECT * FROM sqlite_scan('/tmp/x.db', 't')", "sqlite_scan"),
        ("SELECT * FROM '/etc/passwd'", "not part of this port"),
        ("SELECT * FROM 'https://example.com/x.parquet'", "not part of this port"),
        ("SELECT * FROM secret.salaries", "not part of this port"),
        ("COPY sales.orders TO '/tmp/mesh_lab_copy.csv'", "Only SELECT"),
        ("ATTACH '/tmp/other.duckdb' AS other", "Only SELECT"),
        ("DETACH shop", "Only SELECT"),
        ("INSTALL httpfs", "Only SELECT"),
        ("LOAD httpfs", "Only SELECT"),
        ("SET enable_external_access = true", "Only SELECT"),
        ("PRAGMA database_list", "Only SELECT"),
        ("INSERT INTO sales.orders VALUES (9999, 1, DATE '2026-01-01', 'x', 1)", "Only SELECT"),
        ("SELECT 1; DROP TABLE sales.orders", "one statement"),
    ],
)
def test_hostile_sql_is_refused_and_the_file_is_unchanged(duck, sql, hint):
    result = run(duck, sql)
    assert not result.ok and hint in result.error
    assert QueryRun.objects.get(token=result.run.token).status == RunStatus.REFUSED
    assert fingerprint(duck.path) == duck.before


@pytest.mark.parametrize(
    "sql, message",
    [
        ("SELECT * FROM read_csv('/etc/passwd')", "disabled by configuration"),
        ("COPY (SELECT 1) TO '/tmp/mesh_lab_copy.csv'", "disabled by configuration"),
        ("ATTACH '/tmp/mesh_lab_other.duckdb' AS other", "disabled by configuration"),
        ("INSERT INTO sales.orders VALUES (9999, 1, DATE '2026-01-01', 'x', 1)", "read-only"),
        ("SET enable_external_access = true", "locked"),
        ("INSTALL httpfs", ""),
    ],
)
def test_the_connection_alone_refuses_what_the_parser_would_have_caught(duck, sql, message):
    """Second lock on its own: the hardened connection, without the wrapper or the sqlglot check."""
    import duckdb

    from apps.lab.engines.duckdb import connect

    con = connect(resolve(duck.port).reader)
    try:
        with pytest.raises(duckdb.Error) as err:
            con.execute(sql)
    finally:
        con.close()
    assert message.lower() in str(err.value).lower()
    assert fingerprint(duck.path) == duck.before


@override_settings(MESH_LAB_STATEMENT_TIMEOUT_MS=300)
def test_a_runaway_query_is_interrupted_at_the_timeout(duck):
    started = time.monotonic()
    result = run(duck, "SELECT count(*) FROM sales.big a, sales.big b, sales.big c WHERE a.pad || b.pad <> c.pad")
    assert time.monotonic() - started < 5
    assert "statement timeout" in result.error
    assert QueryRun.objects.get(token=result.run.token).status == RunStatus.FAILED


@override_settings(MESH_LAB_ROW_CAP=100)
def test_rows_are_capped(duck):
    result = run(duck, "SELECT a FROM sales.big")
    assert result.ok and result.row_count == 100 and result.truncated == "rows"


@override_settings(MESH_LAB_BYTE_CAP=50_000)
def test_bytes_are_capped(duck):
    result = run(duck, "SELECT a, pad FROM sales.big ORDER BY a LIMIT 900")
    assert result.ok and result.truncated == "bytes" and 0 < result.row_count < 900


@pytest.mark.django_db(transaction=True)
def test_a_running_query_is_cancelled_by_token(duck):
    outcome = {}

    def long_run():
        outcome["result"] = run(
            duck,
            "SELECT count(*) FROM sales.big a, sales.big b, sales.big c WHERE a.pad || b.pad <> c.pad",
            token="tok",
        )

    thread = threading.Thread(target=long_run)
    thread.start()
    for _ in range(100):
        if QueryRun.objects.filter(token="tok", status=RunStatus.RUNNING).exists():
            break
        time.sleep(0.05)
    time.sleep(0.2)
    assert runner.cancel_run(duck.consumer, "tok")
    thread.join(10)
    assert outcome["result"].error == "Cancelled."
    assert QueryRun.objects.get(token="tok").status == RunStatus.CANCELLED


def test_database_errors_come_back_readable(duck):
    result = run(duck, "SELECT nope FROM sales.orders")
    assert not result.ok and 'column "nope"' in result.error.lower() and "mesh_lab_result" not in result.error


def test_panel_offers_duckdb_snippets_and_is_runnable(duck, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        panel = build_panel(duck.port, duck.consumer)
    assert panel["runnable"] and panel["engine"].kind == "duckdb"
    snippets = {s.key: s.text for s in panel["snippets"]}
    assert set(snippets) == {"duckdb-cli", "duckdb-python", "jdbc"}
    assert f'duckdb -readonly "{duck.path}"' in snippets["duckdb-cli"]
    assert "read_only=True" in snippets["duckdb-python"]
    assert snippets["jdbc"].startswith(f"jdbc:duckdb:{duck.path}?duckdb.read_only=true")


def test_a_missing_file_is_reported_as_unreachable(duck):
    duck.path.unlink()
    result = run(duck, "SELECT 1 FROM sales.orders")
    assert "Could not reach the reader of source shop" in result.error


def test_engines_refuse_duplicate_kinds():
    from apps.lab.engines import register_engine

    with pytest.raises(ValueError):
        register_engine(DuckDBEngine())
