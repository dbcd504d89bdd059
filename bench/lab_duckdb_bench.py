"""Click-to-rows server time of the lab on the embedded DuckDB demo warehouse.

    .venv/bin/python bench/lab_duckdb_bench.py [--runs 100] [--database-url URL]

A fresh embedded catalog (SQLite in a temporary ``MESH_DATA_DIR``; ``--database-url`` for
another catalog database, e.g. ``postgresql://postgres@127.0.0.1:5432/mesh_duck_bench``,
which is used as given), ``load_demo`` with ``MESH_DEMO_WAREHOUSE=duckdb`` (builds
``demo_warehouse.duckdb`` from the demo dbt project and harvests it), then posts "Run" to
the Orders port's htmx endpoint as the page does, for each curated sample query and for a
1,000-row sample, timing the whole server side: session, permission, sqlglot checks, a
fresh hardened DuckDB connection (ATTACH read-only, external access off), fetch, logging
and rendering. Prints p50 / p95 / max per query. Target: p95 ≤ 100 ms.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ROWS_SQL = (
    "SELECT i.*, n FROM sales.order_items AS i CROSS JOIN range(4) AS r(n) ORDER BY i.order_item_id, n LIMIT 1000"
)


def pct(values, p):
    values = sorted(values)
    return values[max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--database-url", default="", help="Catalog database (default: SQLite in a temp dir).")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="mesh-duck-bench-")
    os.environ["MESH_DATA_DIR"] = data_dir
    os.environ.pop("REDIS_URL", None)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["MESH_DEMO_WAREHOUSE"] = "duckdb"
    os.environ["MESH_LAB_RATE_LIMIT_PER_MINUTE"] = "0"  # the bench runs faster than any person
    os.environ["DJANGO_SETTINGS_MODULE"] = "mesh_catalog.settings"

    import django
    from django.core.management import call_command

    t0 = time.perf_counter()
    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    print(f"setup (migrate, demo, build + harvest the DuckDB warehouse): {time.perf_counter() - t0:.1f} s")

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from apps.catalog.models import Port
    from apps.lab.models import QueryRun, SampleQuery

    port = Port.objects.get(product__slug="orders", name="orders-tables")
    client = Client()
    client.force_login(get_user_model().objects.get(username="casey"))
    url = f"/lab/ports/{port.pk}/run/"
    queries = [(q.title, q.sql) for q in SampleQuery.objects.filter(port=port).order_by("title")]
    queries.append(("1,000-row sample", ROWS_SQL))
    print(f"catalog: {connection.vendor}; warehouse: {data_dir}/demo_warehouse.duckdb; {args.runs} runs per query")
    all_times = []
    for title, sql in queries:
        for _ in range(3):  # warm imports, template cache, sqlglot
            client.post(url, {"sql": sql}, HTTP_HX_REQUEST="true")
        times = []
        prefix = f"bench-{abs(hash(title))}-"
        for i in range(args.runs):
            start = time.perf_counter()
            response = client.post(url, {"sql": sql, "token": f"{prefix}{i}"}, HTTP_HX_REQUEST="true")
            times.append((time.perf_counter() - start) * 1000)
            body = response.content.decode()
            assert response.status_code == 200 and "<tbody>" in body and "lab-error" not in body, body[:800]
        engine = list(QueryRun.objects.filter(token__startswith=prefix).values_list("duration_ms", flat=True))
        all_times += times
        print(
            f"  {title:<24} p50 {statistics.median(times):6.1f}  p95 {pct(times, 95):6.1f}  max {max(times):6.1f} ms"
            f"   (engine: p50 {statistics.median(engine):.0f}, p95 {pct(engine, 95):.0f} ms)"
        )
    p95 = pct(all_times, 95)
    print(f"all queries: p50 {statistics.median(all_times):.1f}  p95 {p95:.1f} ms")
    print(f"target p95 <= 100 ms: {'MET' if p95 <= 100 else 'MISSED'}")


if __name__ == "__main__":
    main()
