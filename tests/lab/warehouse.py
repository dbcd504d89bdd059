"""A real PostgreSQL warehouse for lab tests: its own database, a reader role, hostile bits.

The database name derives from the test database name so that engineers (and CI jobs)
sharing one server never collide. The reader role is deliberately over-privileged (it may
INSERT/UPDATE/DELETE sales.orders and read the ``secret`` schema): the tests prove that the
lab's own locks — not the role — keep the warehouse unchanged.
"""

import os
from urllib.parse import urlparse

import psycopg
from psycopg import sql

READER_PASSWORD = "reader-pw-for-tests"

SETUP_SQL = """
CREATE SCHEMA sales;
CREATE SCHEMA secret;
CREATE TABLE sales.orders (order_id integer PRIMARY KEY, customer_id integer NOT NULL, order_date date NOT NULL,
                           status text, amount numeric(12,2));
INSERT INTO sales.orders SELECT g, 1 + g % 17, date '2026-01-01' + g % 300, (ARRAY['placed','shipped','completed'])[1 + g % 3], g * 1.5
  FROM generate_series(1, 1500) g;
CREATE TABLE sales.order_items (order_item_id integer PRIMARY KEY, order_id integer NOT NULL REFERENCES sales.orders,
                                product_id integer NOT NULL, quantity integer, unit_price numeric(12,2));
INSERT INTO sales.order_items SELECT g, 1 + g % 1500, 1 + g % 12, 1 + g % 4, 9.99 FROM generate_series(1, 4000) g;
CREATE TABLE sales.big_a AS SELECT g AS a, md5(g::text) AS pad FROM generate_series(1, 20000) g;
CREATE TABLE sales.big_b AS SELECT g AS b, md5(g::text) AS pad FROM generate_series(1, 20000) g;
CREATE TABLE secret.salaries (employee text, salary integer);
INSERT INTO secret.salaries VALUES ('ada', 100000), ('bob', 90000);
CREATE FUNCTION sales.sneaky() RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sales.orders VALUES (999999, 1, date '2026-01-01', 'sneaky', 0);
  RETURN 1;
END $$;
ANALYZE;
"""


def server_url() -> str:
    return os.environ.get("MESH_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/mesh_catalog")


def names() -> tuple[str, str]:
    base = (urlparse(server_url()).path.lstrip("/") or "mesh_catalog").replace("-", "_")
    return f"{base}_lab_wh", f"{base}_lab_reader"


def admin_conninfo(dbname: str) -> str:
    url = urlparse(server_url())
    return psycopg.conninfo.make_conninfo(
        host=url.hostname or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password or "",
        dbname=dbname,
    )


def reader_dsn() -> str:
    url = urlparse(server_url())
    db, role = names()
    return f"postgresql://{role}@{url.hostname or '127.0.0.1'}:{url.port or 5432}/{db}"


def create_warehouse() -> str:
    db, role = names()
    with psycopg.connect(admin_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db)))
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        stmt = (
            "ALTER ROLE {} LOGIN NOSUPERUSER PASSWORD {}" if exists else "CREATE ROLE {} LOGIN NOSUPERUSER PASSWORD {}"
        )
        conn.execute(sql.SQL(stmt).format(sql.Identifier(role), sql.Literal(READER_PASSWORD)))
    with psycopg.connect(admin_conninfo(db), autocommit=True) as conn:
        conn.execute(SETUP_SQL)
        r = sql.Identifier(role)
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA sales, secret TO {}").format(r))
        conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA sales, secret TO {}").format(r))
        conn.execute(sql.SQL("GRANT INSERT, UPDATE, DELETE ON sales.orders TO {}").format(r))
    return db


def drop_warehouse() -> None:
    db, role = names()
    with psycopg.connect(admin_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db)))
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def fingerprint() -> dict:
    """Contents of every table, as digests: equal before and after means nothing changed."""
    db, _ = names()
    with psycopg.connect(admin_conninfo(db)) as conn:
        out = {}
        for table in ("sales.orders", "sales.order_items", "sales.big_a", "sales.big_b", "secret.salaries"):
            out[table] = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {table} t"
            ).fetchone()
        out["functions"] = conn.execute(
            "SELECT count(*) FROM pg_proc WHERE pronamespace = 'sales'::regnamespace"
        ).fetchone()
        out["tables"] = conn.execute(
            "SELECT count(*) FROM pg_class WHERE relnamespace IN ('sales'::regnamespace, 'secret'::regnamespace, 'public'::regnamespace)"
        ).fetchone()
        return out
