"""Issue 12, item 2: the lab is least-privilege by construction.

The attack walk ran, as the (superuser) harvest role, ``pg_create_physical_replication_slot``
(the slot persisted: slots are not transactional), ``pg_stat_reset()``,
``pg_log_backend_memory_contexts()`` and ``current_setting('data_directory')``. Now those
functions are outside the allow-list, and a superuser / REPLICATION / CREATEROLE /
BYPASSRLS / table-owning role is refused before any SQL of the user's runs.
"""

import psycopg
import pytest
from psycopg import sql

from apps.lab import runner
from apps.lab.models import RunStatus
from tests.lab import warehouse

pytestmark = pytest.mark.django_db

SLOT = "mesh_lab_attack_slot"


def _slots() -> list:
    with psycopg.connect(warehouse.admin_conninfo("postgres")) as conn:
        return [r[0] for r in conn.execute("SELECT slot_name FROM pg_replication_slots WHERE slot_name = %s", (SLOT,))]


@pytest.fixture
def no_slot():
    yield
    with psycopg.connect(warehouse.admin_conninfo("postgres"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_replication_slots WHERE slot_name = %s", (SLOT,)).fetchone():
            conn.execute("SELECT pg_drop_replication_slot(%s)", (SLOT,))


ADMIN_CALLS = [
    f"SELECT pg_create_physical_replication_slot('{SLOT}', true)",
    "SELECT pg_stat_reset()",
    "SELECT pg_log_backend_memory_contexts(pg_backend_pid())",
    "SELECT current_setting('data_directory')",
    'SELECT "pg_catalog"."pg_stat_reset"()',
    "SELECT PG_CATALOG.PG_RELOAD_CONF()",
    "SELECT count(*) FROM sales.orders WHERE order_id = (SELECT pg_backend_pid())",
    "SELECT lo_import('/etc/passwd')",
    "SELECT version()",
    "SELECT * FROM sales.orders o, LATERAL (SELECT pg_terminate_backend(1)) x",
]


@pytest.mark.parametrize("query", ADMIN_CALLS)
def test_administrative_functions_are_outside_the_allow_list(lab, no_slot, query):
    result = runner.run_query(lab.consumer, lab.port, query)
    assert result.run.status == RunStatus.REFUSED
    assert "is not allowed in the lab" in result.error and result.position
    assert _slots() == []


@pytest.mark.parametrize(
    "query",
    [
        "SELECT status, count(*), round(avg(amount), 2) FROM sales.orders GROUP BY 1 ORDER BY 1",
        "SELECT date_trunc('month', order_date) AS m, sum(amount) FROM sales.orders GROUP BY 1 ORDER BY 1 LIMIT 3",
        "SELECT order_id, row_number() OVER (PARTITION BY customer_id ORDER BY order_date) FROM sales.orders LIMIT 3",
        "SELECT jsonb_build_object('id', order_id)->>'id', to_char(order_date, 'YYYY-MM'), upper(status) FROM sales.orders LIMIT 2",
        "WITH c(n) AS (SELECT count(*) FROM sales.orders) SELECT n::numeric(12, 2) FROM c",
        "SELECT coalesce(nullif(status, ''), 'none'), extract(year FROM order_date) FROM sales.orders LIMIT 1",
    ],
)
def test_ordinary_functions_still_run(lab, query):
    result = runner.run_query(lab.consumer, lab.port, query)
    assert result.ok, result.error
    assert result.rows


@pytest.fixture
def role(lab):
    """Make the lab's reader a fresh role with the given attributes (dropped afterwards)."""
    made = []
    db, _ = warehouse.names()

    def make(attributes: str, *, owns: str | None = None):
        name = f"{db}_r{len(made)}"
        with psycopg.connect(warehouse.admin_conninfo(db), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD 'pw' " + attributes).format(sql.Identifier(name)))
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA sales TO {}").format(sql.Identifier(name)))
            conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA sales TO {}").format(sql.Identifier(name)))
            if owns:
                conn.execute(sql.SQL("ALTER TABLE {} OWNER TO {}").format(sql.SQL(owns), sql.Identifier(name)))
        made.append((name, owns))
        lab.source.config = {
            **lab.source.config,
            "reader_dsn": warehouse.reader_dsn().replace(warehouse.names()[1], name),
        }
        lab.source.secrets = {"reader_password": "pw"}
        lab.source.save()
        return name

    yield make
    with psycopg.connect(warehouse.admin_conninfo(db), autocommit=True) as conn:
        for name, owns in made:
            if owns:
                conn.execute(sql.SQL("ALTER TABLE {} OWNER TO postgres").format(sql.SQL(owns)))
            conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def test_superuser_harvest_role_without_reader_is_refused(lab, no_slot):
    # No reader_dsn: the lab falls back to the harvest DSN, here the superuser postgres.
    lab.source.config = {"dsn": warehouse.admin_conninfo(lab.warehouse)}
    lab.source.save()
    result = runner.run_query(lab.consumer, lab.port, "SELECT count(*) FROM sales.orders")
    assert result.run.status == RunStatus.FAILED and result.rows == []
    assert "refuses to run as role 'postgres'" in result.error and "is a superuser" in result.error
    assert "CREATE ROLE lab_reader" in result.error and "reader_dsn" in result.error


@pytest.mark.parametrize(
    "attributes, problem",
    [
        ("REPLICATION", "has REPLICATION"),
        ("CREATEROLE", "has CREATEROLE"),
        ("BYPASSRLS", "has BYPASSRLS"),
    ],
)
def test_over_privileged_reader_is_refused(lab, role, attributes, problem):
    name = role(attributes)
    result = runner.run_query(lab.consumer, lab.port, "SELECT count(*) FROM sales.orders")
    assert result.run.status == RunStatus.FAILED
    assert f"role '{name}'" in result.error and problem in result.error


def test_reader_owning_a_port_table_is_refused(lab, role):
    role("", owns="sales.big_b")
    result = runner.run_query(lab.consumer, lab.port, "SELECT count(*) FROM sales.orders")
    assert result.run.status == RunStatus.FAILED and "owns sales.big_b" in result.error


def test_plain_reader_runs(lab, role):
    role("NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS")
    result = runner.run_query(lab.consumer, lab.port, "SELECT count(*) FROM sales.orders")
    assert result.ok and result.rows == [[1500]]


def test_a_user_function_shadowing_a_built_in_name_is_refused(lab):
    result = runner.run_query(lab.consumer, lab.port, "SELECT sales.lower(status) FROM sales.orders")
    assert result.run.status == RunStatus.REFUSED and "built-in functions only" in result.error


def test_the_lab_resolves_built_ins_before_the_ports_schemas(lab):
    """pg_catalog comes first on the search_path: an allowed name is always the built-in."""
    db, _ = warehouse.names()
    with psycopg.connect(warehouse.admin_conninfo(db), autocommit=True) as conn:
        conn.execute("CREATE FUNCTION sales.upper(text) RETURNS text LANGUAGE sql AS $$ SELECT 'shadowed' $$")
    try:
        result = runner.run_query(lab.consumer, lab.port, "SELECT upper(status) FROM sales.orders ORDER BY 1 LIMIT 1")
    finally:
        with psycopg.connect(warehouse.admin_conninfo(db), autocommit=True) as conn:
            conn.execute("DROP FUNCTION sales.upper(text)")
    assert result.ok, result.error
    assert result.rows == [["COMPLETED"]]


def test_an_overlong_query_is_refused_before_parsing(lab, settings):
    settings.MESH_LAB_MAX_SQL_CHARS = 100
    result = runner.run_query(lab.consumer, lab.port, "SELECT " + "1 + " * 50 + "1")
    assert result.run.status == RunStatus.REFUSED and "MESH_LAB_MAX_SQL_CHARS" in result.error
