"""API benchmark: GraphQL product page, 3-hop lineage and search overhead on a realistic mesh.

    .venv/bin/python bench/api_bench.py --database mesh_bench_api [--redis redis://127.0.0.1:6379/6] [--profile]

Creates a fresh catalog database (dropped and recreated each run), generates with
set-based SQL 5,000 datasets × 20 columns, dataset lineage (every dataset fed by two
earlier ones, so 3 hops reach ~15 datasets), 500 products in 20 domains with two output
ports of 5 datasets each, an input port consuming the previous product's output and two
owners each, rebuilds the search index, then sends GraphQL requests through the whole
Django stack (middleware, bearer-token auth, validation with the depth/cost/alias
limits) with the test client and prints p50/p95/max and SQL statements per request:

- the product page query (product, domain, tags, owners, ports, datasets, columns, one hop
  of lineage per dataset), uncached; with columns on demand against the full page,
  alternating; then cached (``apps.catalog.graphql.page_cache``) against uncached,
  alternating, after one miss per product (``--redis URL`` keeps the cache in Redis),
- ``lineage(depth: 3)`` upstream of a dataset,
- ``search`` through GraphQL against ``apps.search.service.search`` called directly.

Targets: product page p95 ≤ 25 ms (issue 17), lineage 3 hops p95 ≤ 100 ms, search overhead ≤ 10 ms.
"""

import argparse
import itertools
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

from api_mesh import WORDS, add_owners, generate, setup_database  # bench/ is the script's own path entry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/mesh_bench_api"

PRODUCT_PAGE = """
query ProductPage($slug: String!) {
  dataProduct(slug: $slug) {
    slug name summary description lifecycle classification revision tags
    domain { slug name parent { slug } }
    owners { totalCount edges { node { role holder user { username } team { slug } } } }
    ports(first: 20) {
      totalCount
      edges { node {
        name direction protocol format endpoint
        upstreamPort { name product { slug name } }
        datasets(first: 10) {
          totalCount
          edges { node {
            namespace name kind platform
            columns(first: 100) { totalCount edges { node { name dataType nullable isPrimaryKey } } }
            upstream { upstream { name } evidence }
            downstream { downstream { name } }
          } }
        }
      } }
    }
  }
}
"""
# The same page with columns loaded on demand, as the web page does: a count per dataset,
# and DATASET_COLUMNS when a dataset is expanded.
PRODUCT_PAGE_LEAN = """
query ProductPageLean($slug: String!) {
  dataProduct(slug: $slug) {
    slug name summary description lifecycle classification revision tags
    domain { slug name parent { slug } }
    owners { totalCount edges { node { role holder user { username } team { slug } } } }
    ports(first: 20) {
      totalCount
      edges { node {
        name direction protocol format endpoint
        upstreamPort { name product { slug name } }
        datasets(first: 10) {
          totalCount
          edges { node {
            namespace name kind platform
            columns(first: 100) { totalCount }
            upstream { upstream { name } evidence }
            downstream { downstream { name } }
          } }
        }
      } }
    }
  }
}
"""
DATASET_COLUMNS = """
query DatasetColumns($ns: String!, $name: String!) {
  dataset(namespace: $ns, name: $name) {
    columns(first: 100) { totalCount edges { node { name dataType nullable isPrimaryKey } } }
  }
}
"""
LINEAGE = """
query Lineage($ns: String!, $name: String!) {
  lineage(namespace: $ns, name: $name, direction: UPSTREAM, depth: 3) {
    truncated
    nodes { namespace name platform }
    edges { upstream { name } downstream { name } evidence }
  }
}
"""
SEARCH = """
query Search($q: String!) {
  search(q: $q, pageSize: 20) { count facets results { type id name qualifiedName url score summary } }
}
"""
CPU_MS: list = []  # this process's CPU time per request: the part machine load does not inflate


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def summarize(name: str, times_ms: list, queries: list, cpu_ms: list | None = None) -> dict:
    row = {
        "p50": statistics.median(times_ms),
        "p95": percentile(times_ms, 95),
        "max": max(times_ms),
        "queries": f"{min(queries)}–{max(queries)}" if queries else "-",
    }
    cpu = f"   CPU p50 {statistics.median(cpu_ms):6.1f} ms p95 {percentile(cpu_ms, 95):6.1f} ms" if cpu_ms else ""
    print(
        f"{name:<30} p50 {row['p50']:7.1f} ms   p95 {row['p95']:7.1f} ms   max {row['max']:7.1f} ms   SQL/request {row['queries']}{cpu}"
    )
    return row


def timed_graphql(client, headers, query, variables):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # a full log (9,000 entries) would make every count 0
    with CaptureQueriesContext(connection) as ctx:
        start, cpu_start = time.perf_counter(), time.process_time()
        response = client.post(
            "/graphql", json.dumps({"query": query, "variables": variables}), content_type="application/json", **headers
        )
        elapsed = (time.perf_counter() - start) * 1000
        CPU_MS.append((time.process_time() - cpu_start) * 1000)
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise SystemExit(f"GraphQL failed: {response.status_code} {body.get('errors')}")
    return elapsed, len(ctx.captured_queries), body["data"]


def time_cached_page(client, headers, rng, slugs, n, cache_seconds) -> dict:
    """The page from the result cache against the page computed, alternating, in one run.

    Every product is read once first (each a miss: the page computed plus the fingerprint
    query and the cache write); then each round reads one product cached and uncached, in
    alternating order, so both see the same machine load, and checks the two are equal.
    """
    from django.conf import settings

    settings.MESH_GRAPHQL_CACHE_SECONDS = cache_seconds
    miss_times, miss_queries, miss_cpu = [], [], []
    for slug in slugs:
        CPU_MS.clear()
        ms, q, _ = timed_graphql(client, headers, PRODUCT_PAGE, {"slug": slug})
        miss_times.append(ms)
        miss_queries.append(q)
        miss_cpu.extend(CPU_MS)
    hit_times, hit_queries, hit_cpu, off_times, off_queries, off_cpu = [], [], [], [], [], []
    for i in range(n):
        slug = rng.choice(slugs)
        bodies = []
        for cached in (True, False) if i % 2 == 0 else (False, True):
            settings.MESH_GRAPHQL_CACHE_SECONDS = cache_seconds if cached else 0
            CPU_MS.clear()
            ms, q, data = timed_graphql(client, headers, PRODUCT_PAGE, {"slug": slug})
            bodies.append(data)
            (hit_times if cached else off_times).append(ms)
            (hit_queries if cached else off_queries).append(q)
            (hit_cpu if cached else off_cpu).extend(CPU_MS)
        if bodies[0] != bodies[1]:
            raise SystemExit(f"the cached page of {slug} differs from the computed one")
    settings.MESH_GRAPHQL_CACHE_SECONDS = cache_seconds
    row = summarize("product page, cached", hit_times, hit_queries, hit_cpu)
    summarize("  (uncached, same rounds)", off_times, off_queries, off_cpu)
    summarize(f"  first read of {len(slugs)} (miss)", miss_times, miss_queries, miss_cpu)
    print(
        f"uncached / cached page: p50 {statistics.median(off_times) / statistics.median(hit_times):.1f}×, "
        f"p95 {percentile(off_times, 95) / percentile(hit_times, 95):.1f}×, "
        f"CPU p50 {statistics.median(off_cpu) / statistics.median(hit_cpu):.1f}×"
    )
    return row


def profile_page(client, headers, rng, slugs) -> None:
    """Where an uncached page's CPU goes (cProfile over 50 requests, by own and by cumulative time)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile(time.process_time)  # CPU, not wall: the load of other processes stays out
    profiler.enable()
    for _ in range(50):
        timed_graphql(client, headers, PRODUCT_PAGE, {"slug": rng.choice(slugs)})
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=int, default=5_000)
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--server", default="", help="PostgreSQL server URL without a database (with --database).")
    parser.add_argument(
        "--database", default="", help="Catalog database to (re)create (default: $DATABASE_URL or mesh_bench_api)."
    )
    parser.add_argument(
        "--redis",
        default="",
        help="Cache the product page in this Redis (e.g. redis://127.0.0.1:6379/6), not in memory.",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile 50 uncached product pages and print the top.")
    args = parser.parse_args()
    if args.server or args.database:
        server = args.server or os.environ.get("MESH_BENCH_SERVER", "postgresql://postgres@127.0.0.1:5432")
        os.environ["DATABASE_URL"] = f"{server.rstrip('/')}/{args.database or 'mesh_bench_api'}"
    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesh_catalog.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Production-like request handling: no debug cursor, no per-query bookkeeping beyond our capture.
    os.environ.setdefault("DEBUG", "False")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("FIELD_ENCRYPTION_KEY", "YmVuY2gtb25seS1maWVsZC1lbmNyeXB0aW9uLWtleSE=")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
    setup_database(url)

    import django
    from django.conf import settings

    if args.redis:  # the cache production uses (REDIS_URL would also switch Celery to a broker)
        redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": args.redis}
        settings.CACHES = {"default": redis, "graphql_pages": {**redis, "KEY_PREFIX": "pages"}}
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from apps.core.actions import create_token
    from apps.core.testing import make_user
    from apps.search.indexer import rebuild
    from apps.search.service import search

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, skip_checks=True)
    with connection.cursor() as cursor:
        counts = generate(cursor, args.datasets, args.products, args.columns)
    add_owners(50)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rebuild()
    print(f"generated {counts} and the search index in {time.perf_counter() - t0:.1f} s")

    admin = make_user("bench-admin", superuser=True)
    _, raw = create_token(admin, name="bench")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    client = Client()
    rng = random.Random(args.seed)
    slugs = [f"product-{i}" for i in range(1, args.products + 1)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT namespace, name FROM catalog_dataset ORDER BY id OFFSET 400")
        deep = cursor.fetchall()
        cursor.execute("SELECT short_name FROM catalog_dataset ORDER BY random() LIMIT 50")
        search_terms = (
            [r[0].split("_")[0] for r in cursor.fetchall()]
            + [w[:4] for w in WORDS]
            + [f"{a} {b}" for a, b in itertools.pairwise(WORDS)]
        )

    results = {}
    cache_seconds = settings.MESH_GRAPHQL_CACHE_SECONDS or 600
    settings.MESH_GRAPHQL_CACHE_SECONDS = 0  # the page as computed; the cached page is timed below
    for _ in range(20):  # warm caches and connections
        timed_graphql(client, headers, PRODUCT_PAGE, {"slug": rng.choice(slugs)})
    times, queries, sizes = [], [], []
    CPU_MS.clear()
    for _ in range(args.requests):
        ms, n, data = timed_graphql(client, headers, PRODUCT_PAGE, {"slug": rng.choice(slugs)})
        times.append(ms)
        queries.append(n)
        ports = data["dataProduct"]["ports"]["edges"]
        sizes.append(sum(len(p["node"]["datasets"]["edges"]) for p in ports))
    print(
        f"product page: {len(ports)} ports, {max(sizes)} datasets × {args.columns} columns each, owners, one lineage hop"
    )
    results["product page (GraphQL)"] = summarize("product page (GraphQL)", times, queries, CPU_MS)

    # Full page against the lean page (columns on demand), alternating, in the same run.
    lean_times, lean_queries, lean_cpu, full_times, full_cpu, expanded = [], [], [], [], [], []
    for i in range(args.requests):
        slug = rng.choice(slugs)
        for variant in ("lean", "full") if i % 2 == 0 else ("full", "lean"):
            CPU_MS.clear()
            ms, n, data = timed_graphql(
                client, headers, PRODUCT_PAGE_LEAN if variant == "lean" else PRODUCT_PAGE, {"slug": slug}
            )
            (lean_times if variant == "lean" else full_times).append(ms)
            (lean_cpu if variant == "lean" else full_cpu).extend(CPU_MS)
            if variant == "lean":
                lean_queries.append(n)
                first = next(
                    (d["node"] for p in data["dataProduct"]["ports"]["edges"] for d in p["node"]["datasets"]["edges"]),
                    None,
                )
        if first is not None:
            CPU_MS.clear()
            expanded.append(
                timed_graphql(client, headers, DATASET_COLUMNS, {"ns": first["namespace"], "name": first["name"]})[0]
            )
    results["product page, columns on demand"] = summarize(
        "product page, columns on demand", lean_times, lean_queries, lean_cpu
    )
    summarize("  (full page, same rounds)", full_times, [], full_cpu)
    summarize("  one dataset's columns", expanded, [], [])
    print(
        f"full / lean page: p50 {statistics.median(full_times) / statistics.median(lean_times):.1f}×, p95 {percentile(full_times, 95) / percentile(lean_times, 95):.1f}×, CPU p50 {statistics.median(full_cpu) / statistics.median(lean_cpu):.1f}×"
    )

    if args.profile:
        profile_page(client, headers, rng, slugs)
    results["product page, cached"] = time_cached_page(client, headers, rng, slugs, args.requests, cache_seconds)
    settings.MESH_GRAPHQL_CACHE_SECONDS = 0

    times, queries, nodes = [], [], []
    CPU_MS.clear()
    for _ in range(args.requests):
        ns, name = rng.choice(deep)
        ms, n, data = timed_graphql(client, headers, LINEAGE, {"ns": ns, "name": name})
        times.append(ms)
        queries.append(n)
        nodes.append(len(data["lineage"]["nodes"]))
    print(f"lineage: {min(nodes)}–{max(nodes)} datasets within 3 hops upstream")
    results["lineage 3 hops (GraphQL)"] = summarize("lineage 3 hops (GraphQL)", times, queries, CPU_MS)

    direct, via_graphql, direct_cpu = [], [], []
    CPU_MS.clear()
    for term in search_terms * 2:  # interleaved, so both see the same cache state
        start, cpu_start = time.perf_counter(), time.process_time()
        search(term, page_size=20, user=admin)
        direct.append((time.perf_counter() - start) * 1000)
        direct_cpu.append((time.process_time() - cpu_start) * 1000)
        ms, _, _ = timed_graphql(client, headers, SEARCH, {"q": term})
        via_graphql.append(ms)
    results["search (function)"] = summarize("search (function)", direct, [], direct_cpu)
    results["search (GraphQL)"] = summarize("search (GraphQL)", via_graphql, [], CPU_MS)
    overhead = [g - d for g, d in zip(via_graphql, direct, strict=True)]
    cpu_overhead = [g - d for g, d in zip(CPU_MS, direct_cpu, strict=True)]
    print(
        f"{'search: GraphQL overhead':<30} p50 {statistics.median(overhead):7.1f} ms   p95 {percentile(overhead, 95):7.1f} ms   CPU p50 {statistics.median(cpu_overhead):6.1f} ms"
    )
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        "targets: product page p95 ≤ 25 ms (cached, issue 17): {}; lineage p95 ≤ 100 ms: {}; search overhead (p50) ≤ 10 ms: {}".format(
            "met" if results["product page, cached"]["p95"] <= 25 else "MISSED",
            "met" if results["lineage 3 hops (GraphQL)"]["p95"] <= 100 else "MISSED",
            "met" if statistics.median(overhead) <= 10 else "MISSED",
        )
    )


if __name__ == "__main__":
    main()
