"""The MySQL lab engine on the real MariaDB: sample queries run, hostile SQL is refused or stopped."""

import secrets
import threading
import time

import pytest
from django.core.cache import cache
from django.test import override_settings

from apps.catalog import actions as catalog_actions
from apps.catalog.models import Dataset
from apps.catalog.testing import make_mesh
from apps.core.testing import SYSTEM
from apps.harvest import actions as harvest_actions
from apps.lab import runner
from apps.lab.engines import ENGINES, resolve
from apps.lab.models import QueryRun, RunStatus
from apps.lab.panel import build_panel
from tests.harvest.mysql.mysql_source import HOST, PORT, admin, mysql_source

pytestmark = pytest.mark.django_db


def checksum(prefix: str) -> tuple:
    with admin() as conn, conn.cursor() as cur:
        cur.execute(f"checksum table `{prefix}_sales`.customers, `{prefix}_sales`.orders")
        return tuple(cur.fetchall())


@pytest.fixture
def shop():
    """make_mesh() plus a harvested MariaDB shop with a reader user (SELECT on sales only) and a port on three tables."""
    from types import SimpleNamespace

    cache.clear()
    with mysql_source() as (dsn, password, prefix, user):
        reader, reader_password = f"{prefix}_r", secrets.token_urlsafe(12)
        with admin() as conn, conn.cursor() as cur:
            cur.execute(f"create user '{reader}'@'%%' identified by %s", (reader_password,))
            cur.execute(f"grant select on `{prefix}_sales`.* to '{reader}'@'%'")
        try:
            mesh = make_mesh()
            source = harvest_actions.create_source(
                SYSTEM,
                name="shop-mysql",
                kind="mysql",
                config={"dsn": dsn, "reader_dsn": f"mysql://{reader}@{HOST}:{PORT}"},
                secrets={"password": password, "reader_password": reader_password},
            )
            run = harvest_actions.trigger_harvest(SYSTEM, source, run_async=False)
            assert run.status == "succeeded", run.errors
            names = [f"{prefix}_sales.{t}" for t in ("customers", "orders", "customer_totals")]
            port = catalog_actions.create_port(
                SYSTEM,
                mesh.orders,
                name="orders-mysql",
                direction="output",
                protocol="other",
                datasets=list(Dataset.objects.filter(name__in=names)),
            )
            yield SimpleNamespace(
                **vars(mesh), port=port, prefix=prefix, reader=reader, before=checksum(prefix), source=source
            )
        finally:
            with admin() as conn, conn.cursor() as cur:
                cur.execute(f"drop user if exists '{reader}'@'%'")


def run(shop, sql, **kwargs):
    return runner.run_query(shop.consumer, shop.port, sql.replace("P_", f"{shop.prefix}_"), **kwargs)


def test_the_engine_is_picked_from_the_namespace_and_uses_the_reader(shop):
    resolution = resolve(shop.port)
    assert resolution.engine is ENGINES["mysql"] and resolution.runnable
    assert (resolution.reader.user, resolution.reader.host, resolution.reader.port) == (shop.reader, HOST, PORT)
    assert "reader_password" not in repr(resolution.reader) and "password=" not in repr(resolution.reader)
    assert sorted(t.sql_name for t in resolution.tables) == sorted(
        f"{shop.prefix}_sales.{t}" for t in ("customer_totals", "customers", "orders")
    )


def test_a_query_returns_columns_and_rows_and_is_logged(shop):
    result = run(shop, "SELECT email, tier FROM P_sales.customers ORDER BY id")
    assert result.ok, result.error
    assert result.columns == ["email", "tier"]
    assert result.rows == [["ada@example.com", "pro"], ["bob@example.com", "free"]]
    logged = QueryRun.objects.get(token=result.run.token)
    assert (logged.status, logged.rows) == (RunStatus.SUCCEEDED, 2)
    view = run(shop, "SELECT customer_id, total FROM P_sales.customer_totals ORDER BY customer_id")
    assert view.ok and [r[0] for r in view.rows] == [1, 2]


@pytest.mark.parametrize(
    "sql, hint",
    [
        ("SELECT LOAD_FILE('/etc/passwd')", "load_file"),
        ("SELECT * FROM P_sales.customers INTO OUTFILE '/tmp/mesh_lab_out.csv'", "INTO"),
        ("SELECT id INTO @x FROM P_sales.customers LIMIT 1", "INTO"),
        ("SELECT * FROM P_sales.customers FOR UPDATE", "FOR UPDATE/SHARE"),
        ("SELECT * FROM P_sales.customers LOCK IN SHARE MODE", "FOR UPDATE/SHARE"),
        ("SELECT GET_LOCK('x', 10)", "get_lock"),
        ("SELECT BENCHMARK(100000000, MD5('x'))", "benchmark"),
        ("SELECT * FROM P_secret.salaries", "not part of this port"),
        ("SELECT * FROM P_ops.products", "not part of this port"),
        ("SELECT * FROM mysql.user", "not part of this port"),
        ("INSERT INTO P_sales.customers (email) VALUES ('x@example.com')", "Only SELECT"),
        ("UPDATE P_sales.customers SET tier = 'pro'", "Only SELECT"),
        ("SET SESSION max_statement_time = 0", "Only SELECT"),
        ("SELECT 1; DROP TABLE P_sales.customers", "one statement"),
    ],
)
def test_hostile_sql_is_refused_and_the_data_is_unchanged(shop, sql, hint):
    result = run(shop, sql)
    assert not result.ok and hint.lower() in result.error.lower(), result.error
    assert QueryRun.objects.get(token=result.run.token).status == RunStatus.REFUSED
    assert checksum(shop.prefix) == shop.before


def test_the_connection_alone_is_read_only_and_single_statement(shop):
    """Second lock on its own: even with the sqlglot check bypassed, the transaction refuses writes."""
    resolution = resolve(shop.port)
    with admin() as conn, conn.cursor() as cur:  # give the reader a write grant it should never be able to use
        cur.execute(f"grant insert on `{shop.prefix}_sales`.* to '{shop.reader}'@'%'")
    engine = resolution.engine
    from apps.lab.engines.base import EngineError

    for sql, message in (
        (f"INSERT INTO {shop.prefix}_sales.customers (email) VALUES ('x@example.com')", "read only"),
        ("SELECT 1; SELECT 2", "syntax"),
    ):
        with pytest.raises(EngineError) as err:
            engine.execute(
                resolution.reader, resolution.tables, sql, token="t", row_cap=10, byte_cap=10_000, timeout_ms=2000
            )
        assert message in err.value.message.lower(), err.value.message
    assert checksum(shop.prefix) == shop.before


# Seconds of work for the server without SLEEP(), which the lab's function allow-list refuses.
SLOW_QUERY = (
    "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) SELECT count(*) FROM n a, n b, n c"
)


@override_settings(MESH_LAB_STATEMENT_TIMEOUT_MS=300)
def test_a_runaway_query_is_stopped_by_the_server_at_the_timeout(shop):
    started = time.monotonic()
    result = run(shop, SLOW_QUERY)  # no SLEEP(): the lab's allow-list refuses it
    assert time.monotonic() - started < 3
    assert "statement timeout" in result.error, result.error
    assert QueryRun.objects.get(token=result.run.token).status == RunStatus.FAILED


@override_settings(MESH_LAB_ROW_CAP=100)
def test_rows_are_capped(shop):
    result = run(
        shop,
        "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) "
        "SELECT n.i, c.email FROM n JOIN P_sales.customers c ON c.id = 1",
    )
    assert result.ok, result.error
    assert result.row_count == 100 and result.truncated == "rows"


@override_settings(MESH_LAB_BYTE_CAP=2_000)
def test_bytes_are_capped(shop):
    result = run(
        shop,
        "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) "
        "SELECT n.i, REPEAT(c.email, 3) FROM n JOIN P_sales.customers c ON c.id = 1",
    )
    assert result.ok and result.truncated == "bytes" and 0 < result.row_count < 300


@pytest.mark.django_db(transaction=True)
def test_a_running_query_is_cancelled_by_token(shop):
    outcome = {}

    def long_run():
        from django.db import connection

        try:
            outcome["result"] = run(shop, SLOW_QUERY, token="tok")
        finally:
            connection.close()  # the thread's own catalog connection, or the test database cannot be dropped

    thread = threading.Thread(target=long_run)
    thread.start()
    for _ in range(100):
        if QueryRun.objects.filter(token="tok", status=RunStatus.RUNNING).exists():
            break
        time.sleep(0.05)
    time.sleep(0.3)
    started = time.monotonic()
    assert runner.cancel_run(shop.consumer, "tok")
    thread.join(10)
    assert time.monotonic() - started < 3
    assert outcome["result"].error == "Cancelled.", outcome["result"].error
    assert QueryRun.objects.get(token="tok").status == RunStatus.CANCELLED


def test_database_errors_come_back_readable(shop):
    result = run(shop, "SELECT nope FROM P_sales.customers")
    assert not result.ok and "unknown column 'nope'" in result.error.lower() and "mesh-lab" not in result.error


def test_a_reader_with_a_wrong_password_says_which_source(shop):
    harvest_actions.update_source(SYSTEM, shop.source, secrets={"reader_password": "wrong"})
    result = run(shop, "SELECT id FROM P_sales.customers")
    assert not result.ok and "Could not reach the reader of source shop-mysql" in result.error


def test_panel_offers_mysql_snippets_without_secrets(shop):
    panel = build_panel(shop.port, shop.consumer)
    assert panel["runnable"] and panel["engine"].kind == "mysql"
    snippets = {s.key: s.text for s in panel["snippets"]}
    assert list(snippets) == ["mysql-cli", "pymysql", "sqlalchemy", "jdbc"]
    assert f"mysql -h {HOST} -P {PORT}" in snippets["mysql-cli"] and f"-D {shop.prefix}_sales" in snippets["mysql-cli"]
    assert "pymysql.connect(" in snippets["pymysql"] and "mysql+pymysql" in snippets["sqlalchemy"]
    assert snippets["jdbc"].startswith(f"jdbc:mysql://{HOST}:{PORT}/{shop.prefix}_sales")
    text = "\n".join(snippets.values())
    assert shop.source.secrets["reader_password"] not in text and shop.source.secrets["password"] not in text
