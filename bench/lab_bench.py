"""Click-to-rows server time of the lab: a 1,000-row sample on the demo warehouse.

    .venv/bin/python bench/lab_bench.py [--runs 60] [--rows 1000]

Builds its own catalog database (``MESH_BENCH_DATABASE_URL``, default
``postgresql://postgres@127.0.0.1:5432/mesh_lab_bench``, recreated), loads the demo mesh,
harvests the real ``mesh_demo_warehouse`` (built with scripts/dbt_build_fixture.sh when
missing), then posts "Run" to the port's htmx endpoint exactly as the page does and
times the whole server side: session, permission, sqlglot checks, a fresh reader
connection, READ ONLY transaction, fetch, logging and rendering the rows as HTML.
Prints p50 / p95 / max, and the runner's own share. Target: p95 ≤ 300 ms.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
BENCH_DB_URL = os.environ.get("MESH_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/mesh_lab_bench")
os.environ["DATABASE_URL"] = BENCH_DB_URL
os.environ.pop("REDIS_URL", None)
os.environ["MESH_LAB_RATE_LIMIT_PER_MINUTE"] = "0"  # the bench runs faster than any person
os.environ.setdefault("MESH_DATA_DIR", str(REPO / "var" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesh_catalog.settings")

SAMPLE_SQL = (
    "SELECT i.order_item_id, i.order_id, i.product_name, i.category, i.quantity, i.unit_price, i.line_total,\n"
    "       o.order_date, o.status, o.order_total\n"
    "FROM sales.order_items i CROSS JOIN sales.orders o\nORDER BY i.order_item_id, o.order_id\nLIMIT {rows}"
)


def recreate_database(create: bool = True) -> None:
    from urllib.parse import urlparse

    import psycopg
    from psycopg import sql

    url = urlparse(BENCH_DB_URL)
    name = url.path.lstrip("/")
    admin = psycopg.conninfo.make_conninfo(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password or "",
        dbname="postgres",
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare():
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    from apps.core.testing import SYSTEM
    from apps.harvest import actions as harvest_actions
    from apps.lab import demo as lab_demo
    from tests.lab.demo_warehouse import ensure_demo_warehouse

    ensure_demo_warehouse()
    if lab_demo._demo_source() is None:
        source = harvest_actions.create_source(
            SYSTEM,
            name="demo-warehouse",
            kind="postgres",
            config={"dsn": "postgresql://postgres@127.0.0.1:5432/mesh_demo_warehouse"},
        )
        harvest_actions.trigger_harvest(SYSTEM, source, run_async=False)
        lab_demo.load_demo_data(io.StringIO())


def pct(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="Keep the bench catalog database afterwards.")
    args = parser.parse_args()
    t0 = time.perf_counter()
    recreate_database()
    prepare()
    print(f"setup (migrate, demo, harvest): {time.perf_counter() - t0:.1f} s")

    from django.contrib.auth import get_user_model
    from django.test import Client

    from apps.catalog.models import Port
    from apps.lab.models import QueryRun

    port = Port.objects.get(product__slug="orders", name="orders-tables")
    client = Client()
    client.force_login(get_user_model().objects.get(username="casey"))
    url = f"/lab/ports/{port.pk}/run/"
    sql = SAMPLE_SQL.format(rows=args.rows)
    for _ in range(3):  # warm imports, template cache, sqlglot
        client.post(url, {"sql": sql}, HTTP_HX_REQUEST="true")
    times, sizes = [], []
    for i in range(args.runs):
        token = f"bench-{i}-{time.time_ns()}"
        start = time.perf_counter()
        response = client.post(url, {"sql": sql, "token": token}, HTTP_HX_REQUEST="true")
        times.append((time.perf_counter() - start) * 1000)
        body = response.content.decode()
        assert response.status_code == 200 and body.count("<tr>") == args.rows + 1, body[:500]
        sizes.append(len(body))
    runner_ms = list(QueryRun.objects.filter(token__startswith="bench-").values_list("duration_ms", flat=True))
    print(
        f"click-to-rows server time, {args.rows}-row sample x {args.runs} runs (ms): "
        f"p50 {statistics.median(times):.1f}  p95 {pct(times, 95):.1f}  max {max(times):.1f}"
    )
    print(
        f"  of which the runner (connect + READ ONLY txn + fetch), ms: p50 {statistics.median(runner_ms):.1f}  p95 {pct(runner_ms, 95):.1f}"
    )
    print(f"  response size: {statistics.median(sizes) / 1024:.0f} KiB of HTML")
    print(f"target p95 <= 300 ms: {'MET' if pct(times, 95) <= 300 else 'MISSED'}")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        recreate_database(create=False)


if __name__ == "__main__":
    main()
