"""The lab's part of the demo: a reader on the demo warehouse and curated queries on Orders.

Called by ``load_demo`` after the catalog and harvest demos. Create-only: a curated query
is added when its title is missing and never rewritten, so an owner's edit survives every
re-run. On the embedded DuckDB warehouse (``apps.core.demo_warehouse``) the harvested file
is the reader: nothing to configure. On PostgreSQL it creates a read-only role for the lab;
without a PostgreSQL source for ``mesh_demo_warehouse`` the port panel says what to configure.
The curated SQL is plain enough to run unchanged on both warehouses.
"""

import psycopg
from psycopg import sql

from apps.catalog.models import Port
from apps.core import demo_warehouse
from apps.core.actors import SystemActor
from apps.core.errors import ActionError
from apps.lab import actions
from apps.lab.models import QueryOrigin, SampleQuery
from apps.lab.readers import _source_target

DEMO = SystemActor("demo-loader")
WAREHOUSE = "mesh_demo_warehouse"
READER_ROLE = "mesh_demo_reader"
READER_PASSWORD = "mesh-demo-reader"  # demo only, like the demo users' passwords
VIA = "demo"

ORDERS_QUERIES = [
    (
        "Revenue per month",
        "Orders and revenue booked per calendar month.",
        "SELECT date_trunc('month', order_date)::date AS month,\n       count(*) AS orders,\n       sum(order_total) AS revenue\n"
        "FROM sales.orders\nGROUP BY 1\nORDER BY 1",
    ),
    (
        "Best-selling products",
        "Units and revenue per product, top ten.",
        "SELECT product_name, category,\n       sum(quantity) AS units,\n       sum(line_total) AS revenue\n"
        "FROM sales.order_items\nGROUP BY product_name, category\nORDER BY revenue DESC\nLIMIT 10",
    ),
    (
        "Returned orders",
        "The latest returned orders with what was paid.",
        "SELECT order_id, customer_id, order_date, order_total, amount_paid\nFROM sales.orders\nWHERE is_returned\nORDER BY order_date DESC\nLIMIT 50",
    ),
]


def _demo_source():
    from apps.harvest.models import Source

    for source in Source.objects.filter(kind="postgres").order_by("name"):
        target = _source_target(source)
        if target and target[1] == WAREHOUSE:
            return source
    return None


def _harvest_password(source):
    import os

    config, secrets = source.config or {}, source.secrets or {}
    return secrets.get("password") or (os.environ.get(config["password_env"]) if config.get("password_env") else None)


def _create_reader_role(source) -> bool:
    """A login role that may only SELECT the warehouse's tables (needs CREATEROLE)."""
    kwargs = {"conninfo": source.config["dsn"], "autocommit": True, "connect_timeout": 5}
    if _harvest_password(source):
        kwargs["password"] = _harvest_password(source)
    with psycopg.connect(**kwargs) as conn:
        role = sql.Identifier(READER_ROLE)
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (READER_ROLE,)).fetchone()
        stmt = (
            "ALTER ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {}"
            if exists
            else "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {}"
        )
        conn.execute(sql.SQL(stmt).format(role, sql.Literal(READER_PASSWORD)))
        schemas = [
            r[0]
            for r in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'"
            )
        ]
        for schema in schemas:
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), role))
            conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(sql.Identifier(schema), role))
    return True


def _configure_reader(source, stdout) -> None:
    if (source.config or {}).get("reader_dsn"):
        return
    try:
        _create_reader_role(source)
    except psycopg.Error as exc:
        stdout.write(
            f"Lab: could not create the read-only role {READER_ROLE} ({str(exc).splitlines()[0]}); queries use the harvest connection."
        )
        return
    from apps.harvest import actions as harvest_actions

    dsn = source.config["dsn"]
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(dsn)
    reader_dsn = (
        f"postgresql://{READER_ROLE}@{params.get('host') or 'localhost'}:{params.get('port') or 5432}/{WAREHOUSE}"
    )
    try:
        harvest_actions.update_source(
            DEMO,
            source,
            config={**source.config, "reader_dsn": reader_dsn},
            secrets={"reader_password": READER_PASSWORD},
            via=VIA,
        )
    except ActionError as exc:
        stdout.write(
            f"Lab: the source {source.name} does not accept a reader yet ({exc.message}); queries use the harvest connection."
        )
        return
    stdout.write(f"Lab: queries on {WAREHOUSE} run as the read-only role {READER_ROLE}.")


def _curated_queries(port) -> int:
    existing = set(SampleQuery.objects.filter(port=port, origin=QueryOrigin.CURATED).values_list("title", flat=True))
    written = 0
    for title, description, text in ORDERS_QUERIES:
        if title in existing:
            continue  # never rewritten: an owner may have improved it
        try:
            actions.create_sample_query(DEMO, port, title=title, description=description, sql=text, via=VIA)
        except ActionError:
            continue  # the port's datasets are not there (a trimmed demo): skip quietly
        written += 1
    return written


def load_demo_data(stdout) -> None:
    port = (
        Port.objects.select_related("product__domain")
        .filter(product__slug="orders", name="orders-tables", direction="output")
        .first()
    )
    if port is None:
        return
    source = _demo_source()
    if demo_warehouse.kind() == "duckdb":
        stdout.write("Lab: queries run on the embedded DuckDB demo warehouse (read-only).\n")
    elif source is not None:
        _configure_reader(source, stdout)
    else:
        stdout.write(f"Lab: no PostgreSQL source harvests {WAREHOUSE}; the port panels say how to configure a reader.")
    written = _curated_queries(port)
    stdout.write(
        f"Lab: {written} curated sample quer{'y' if written == 1 else 'ies'} written on Orders · orders-tables."
    )
