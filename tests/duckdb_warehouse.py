"""A small DuckDB warehouse file for harvester and lab tests (a real file, real DuckDB)."""

from pathlib import Path

import duckdb

DDL = """
CREATE SCHEMA sales;
CREATE SCHEMA secret;
CREATE TABLE sales.orders (
    order_id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    order_date DATE NOT NULL,
    status VARCHAR DEFAULT 'placed',
    amount DECIMAL(12, 2)
);
CREATE TABLE sales.order_items (
    order_item_id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES sales.orders (order_id),
    quantity INTEGER,
    unit_price DECIMAL(12, 2)
);
CREATE TABLE sales.big (a INTEGER, pad VARCHAR);
CREATE TABLE secret.salaries (employee VARCHAR, salary INTEGER);
CREATE VIEW sales.order_totals AS
    SELECT o.order_id, o.order_date, sum(i.quantity * i.unit_price) AS total
    FROM orders AS o JOIN order_items AS i ON i.order_id = o.order_id
    GROUP BY o.order_id, o.order_date;
COMMENT ON TABLE sales.orders IS 'One row per order.';
COMMENT ON COLUMN sales.orders.order_id IS 'Primary key of the order.';
COMMENT ON VIEW sales.order_totals IS 'What each order is worth.';
INSERT INTO sales.orders SELECT range, range % 40, DATE '2026-01-01' + CAST(range % 200 AS INTEGER), 'placed', range * 1.5 FROM range(1, 501);
INSERT INTO sales.order_items SELECT range, 1 + range % 500, 1 + range % 3, 9.90 FROM range(1, 1201);
INSERT INTO sales.big SELECT range, repeat('x', 200) FROM range(20000);
INSERT INTO secret.salaries VALUES ('ann', 100000);
"""


def build_warehouse(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute(DDL)
    finally:
        con.close()
    return path


def fingerprint(path: Path) -> tuple:
    """Row counts and file bytes: equal before and after means nothing was written."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        counts = tuple(
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("sales.orders", "sales.order_items", "sales.big", "secret.salaries")
        )
        tables = con.execute("SELECT count(*) FROM duckdb_tables()").fetchone()[0]
    finally:
        con.close()
    return counts, tables, path.read_bytes().__hash__()
