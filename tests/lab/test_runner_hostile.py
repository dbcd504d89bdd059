"""The runner against a real PostgreSQL: hostile SQL is refused or stopped, nothing changes."""

import time

import pytest
from django.test import override_settings

from apps.lab import runner
from apps.lab.models import QueryRun, RunStatus
from tests.lab import warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def before(lab):
    return warehouse.fingerprint()


def assert_unchanged(before):
    assert warehouse.fingerprint() == before


@pytest.mark.parametrize(
    "sql, code_hint",
    [
        ("INSERT INTO sales.orders VALUES (1000001, 1, '2026-01-01', 'x', 1)", "Only SELECT"),
        ("UPDATE sales.orders SET amount = 0", "Only SELECT"),
        ("DELETE FROM sales.orders", "Only SELECT"),
        ("DROP TABLE sales.orders", "Only SELECT"),
        ("SELECT 1; DELETE FROM sales.orders", "one statement"),
        ("SELECT * FROM sales.orders; SELECT * FROM sales.order_items", "one statement"),
        ("COPY (SELECT 1) TO PROGRAM 'touch /tmp/mesh_lab_pwned'", "Only SELECT"),
        ("SET ROLE postgres", "Only SELECT"),
        ("WITH gone AS (DELETE FROM sales.orders RETURNING *) SELECT count(*) FROM gone", "DELETE"),
        ("SELECT * INTO sales.copy_of_orders FROM sales.orders", "INTO"),
        ("SELECT * FROM sales.orders FOR UPDATE", "FOR UPDATE"),
        ("SELECT * FROM secret.salaries", "not part of this port"),
        ("SELECT o.order_id, s.salary FROM sales.orders o JOIN secret.salaries s ON true", "not part of this port"),
        (
            "SELECT * FROM sales.orders WHERE customer_id IN (SELECT salary FROM secret.salaries)",
            "not part of this port",
        ),
        ("SELECT * FROM pg_catalog.pg_authid", "not part of this port"),
        ("SELECT query_to_xml('select * from secret.salaries', true, false, '')", "query_to_xml"),
        ("SELECT set_config('default_transaction_read_only', 'off', false)", "set_config"),
    ],
)
def test_hostile_statement_is_refused_and_changes_nothing(lab, before, sql, code_hint):
    result = runner.run_query(lab.consumer, lab.port, sql)
    assert not result.ok and code_hint in result.error
    assert result.rows == []
    assert result.run.status == RunStatus.REFUSED
    assert_unchanged(before)


def test_function_that_writes_is_stopped_by_the_read_only_transaction(lab, before):
    # sqlglot sees a plain SELECT of a function: the READ ONLY transaction is what stops it.
    result = runner.run_query(lab.consumer, lab.port, "SELECT sales.sneaky()")
    assert result.run.status == RunStatus.FAILED
    assert "read-only transaction" in result.error
    assert "Traceback" not in result.error
    assert_unchanged(before)


@override_settings(MESH_LAB_STATEMENT_TIMEOUT_MS=1000)
def test_pg_sleep_is_stopped_by_the_statement_timeout(lab, before):
    started = time.monotonic()
    result = runner.run_query(lab.consumer, lab.port, "SELECT pg_sleep(60)")
    elapsed = time.monotonic() - started
    assert result.run.status == RunStatus.FAILED and "statement timeout" in result.error
    assert 0.9 < elapsed < 4
    assert_unchanged(before)


def test_cross_join_of_large_tables_is_cut_at_the_row_cap(lab, before):
    started = time.monotonic()
    result = runner.run_query(lab.consumer, lab.port, "SELECT a.a, b.b FROM sales.big_a a CROSS JOIN sales.big_b b")
    assert result.ok and result.truncated == "rows" and result.row_count == 1000
    assert time.monotonic() - started < 3
    run = QueryRun.objects.get(pk=result.run.pk)
    assert run.truncated and run.rows == 1000
    assert_unchanged(before)


@override_settings(MESH_LAB_STATEMENT_TIMEOUT_MS=1000)
def test_sorted_cross_join_is_stopped_by_the_timeout(lab, before):
    result = runner.run_query(
        lab.consumer,
        lab.port,
        "SELECT a.a, b.b FROM sales.big_a a CROSS JOIN sales.big_b b ORDER BY md5(a.pad || b.pad)",
    )
    assert result.run.status == RunStatus.FAILED and "statement timeout" in result.error
    assert_unchanged(before)


@override_settings(MESH_LAB_BYTE_CAP=10_000)
def test_wide_result_is_cut_at_the_byte_cap(lab):
    result = runner.run_query(lab.consumer, lab.port, "SELECT a, pad FROM sales.big_a ORDER BY a LIMIT 900")
    assert result.ok and result.truncated == "bytes"
    assert 0 < result.row_count < 900


def test_database_error_comes_back_with_its_position_and_no_stack_trace(lab):
    sql = "SELECT order_id, no_such_column FROM sales.orders"
    result = runner.run_query(lab.consumer, lab.port, sql)
    assert result.run.status == RunStatus.FAILED
    assert 'column "no_such_column" does not exist' in result.error
    assert result.position == sql.index("no_such_column") + 1
    assert "Traceback" not in result.error and "psycopg" not in result.error


def test_connection_is_closed_after_every_run(lab):
    for sql in ("SELECT 1/0", "SELECT order_id FROM sales.orders LIMIT 1", "SELECT sales.sneaky()"):
        runner.run_query(lab.consumer, lab.port, sql)
    db, role = warehouse.names()
    import psycopg

    with psycopg.connect(warehouse.admin_conninfo("postgres")) as conn:
        left = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = %s", (role,)).fetchone()[0]
    assert left == 0


@pytest.mark.parametrize(
    "sql, message",
    [
        ("SELECT 1; DELETE FROM sales.orders", "cannot insert multiple commands"),
        ("SELECT 1; COMMIT; DELETE FROM sales.orders", "cannot insert multiple commands"),
        (
            "WITH gone AS (DELETE FROM sales.orders RETURNING *) SELECT count(*) FROM gone",
            "DECLARE CURSOR must not contain data-modifying",
        ),
        ("SELECT sales.sneaky()", "read-only transaction"),
        ("SELECT * FROM sales.orders FOR UPDATE", "read-only transaction"),
    ],
)
def test_database_layer_alone_refuses_what_the_parser_would_have_caught(lab, before, sql, message):
    """Second lock on its own: execute without the sqlglot check (as if the parser were fooled)."""
    import psycopg

    from apps.lab.engines.postgres import PostgresEngine
    from apps.lab.readers import port_tables, reader_for_port

    run = runner._log(lab.consumer, lab.port, sql, token=f"direct-{abs(hash(sql))}")
    with pytest.raises(psycopg.Error) as err:
        PostgresEngine().execute_unguarded(
            reader_for_port(lab.port),
            port_tables(lab.port),
            sql,
            token=run.token,
            row_cap=10,
            byte_cap=10**6,
            timeout_ms=5000,
        )
    assert message in str(err.value)
    assert_unchanged(before)
