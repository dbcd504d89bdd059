"""Hostile-input benchmark: every attack of issue 12 items 4–6 is refused fast and small.

    .venv/bin/python bench/hostile_inputs.py                       # PostgreSQL catalog (fresh database)
    .venv/bin/python bench/hostile_inputs.py --database-url sqlite:////tmp/mesh_hostile.sqlite3

Creates a fresh catalog database (dropped and recreated; ``--database-url``, default
``postgresql://postgres@127.0.0.1:5432/mesh_bench_hostile``), migrates it, creates an
owner with a token and a product, then sends each hostile input through the whole
Django stack (middleware, bearer-token auth, parsers, views, actions) with ``DEBUG=False``
and prints, per input, the status and error code, the median and worst time over
``--repeat`` runs, the Python allocation peak during the request (tracemalloc) and the
growth of the process's max RSS. Target per input: refused (4xx) in ≤ 100 ms with ≤ 50 MB
memory growth. The request bodies are built before the clock starts: the figures are
what the server spends refusing them.
"""

import argparse
import gc
import json
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/mesh_bench_hostile"
TARGET_MS, TARGET_MB = 100.0, 50.0

HEAD = "apiVersion: v1.0.0\nkind: DataProduct\nid: orders\nname: Orders\ndomain: sales\nstatus: active\n"


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return HEAD + "\n".join(lines) + "\n"


def lineage_event(name: str) -> dict:
    return {
        "eventType": "COMPLETE",
        "eventTime": "2026-12-01T10:00:00Z",
        "producer": "bench",
        "run": {"runId": "3f0c1a52-7f8e-4f55-9a43-0d6b1c2d3e4f"},
        "job": {"namespace": "bench", "name": "job"},
        "inputs": [],
        "outputs": [{"namespace": "postgres://wh:5432", "name": name}],
    }


def hostile_requests() -> list[tuple[str, str, str, bytes, str, dict]]:
    """(label, method, path, body, content type, extra headers) — bodies built up front."""
    descriptor = "/api/v1/products/orders/descriptor"
    yaml_type = "application/yaml"
    deep_json = ("[" * 100_000 + "]" * 100_000).encode()
    return [
        ("4 billion laughs descriptor", "PUT", descriptor, billion_laughs().encode(), yaml_type, {}),
        ("4/6 descriptor of 50,000 nested [", "PUT", descriptor, (HEAD + "tags: " + "[" * 50_000 + "]" * 50_000).encode(), yaml_type, {}),
        ("5 descriptor with a 20 MB description", "PUT", descriptor, (HEAD + "description:\n  usage: '" + "x" * 20_000_000 + "'\n").encode(), yaml_type, {}),
        ("5 descriptor with 10,000 ports", "PUT", descriptor, (HEAD + "outputPorts:\n" + "".join(f"  - name: p{i}\n    type: postgres\n" for i in range(10_000))).encode(), yaml_type, {}),
        ("5 300 MB dbt artifact upload", "POST", "/api/v1/sources/shop-dbt/dbt-artifacts", b"", "multipart/form-data; boundary=x", {"CONTENT_LENGTH": str(300 * 1024 * 1024)}),
        ("5 3 MB JSON body", "POST", "/api/v1/ports/", json.dumps({"name": "x" * 3_000_000}).encode(), "application/json", {}),
        ("6 OpenLineage name of 501 chars", "POST", "/api/v1/lineage", json.dumps(lineage_event("d." + "x" * 501)).encode(), "application/json", {}),
        ("6 OpenLineage NUL in a name", "POST", "/api/v1/lineage", json.dumps(lineage_event("db.public.t\x00")).encode(), "application/json", {}),
        ("6 REST JSON nested 100,000 deep", "POST", "/api/v1/ports/", deep_json, "application/json", {}),
        ("6 GraphQL JSON nested 100,000 deep", "POST", "/graphql", deep_json, "application/json", {}),
        ("6 GraphQL fragment cycle", "POST", "/graphql", json.dumps({"query": "query { dataProducts { edges { node { ...A } } } } fragment A on DataProduct { slug ...B } fragment B on DataProduct { name ...A }"}).encode(), "application/json", {}),
        ("6 GraphQL 20,000 nested selections", "POST", "/graphql", json.dumps({"query": "{" + "a {" * 20_000 + "}" * 20_001}).encode(), "application/json", {}),
        ("6 NUL byte in a REST form field", "POST", "/api/v1/ports/", b"product=orders%00&name=n&direction=output", "application/x-www-form-urlencoded", {}),
    ]  # fmt: skip


def setup_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.split(":///", 1)[1])
        path.unlink(missing_ok=True)
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(client, headers, request, repeat: int) -> dict:
    label, method, path, body, content_type, extra = request
    times, peaks, rss_growth, response = [], [], [], None
    for _ in range(repeat):
        gc.collect()
        rss_before = max_rss_mb()
        tracemalloc.start()
        started = time.perf_counter()
        response = client.generic(method, path, body, content_type=content_type, **headers, **extra)
        elapsed = (time.perf_counter() - started) * 1000
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        times.append(elapsed)
        peaks.append(peak / 1024 / 1024)
        rss_growth.append(max_rss_mb() - rss_before)
    try:
        code = ",".join(sorted({e.get("code") or "?" for e in response.json().get("errors", [])}))
    except ValueError:
        code = f"NOT JSON ({response['Content-Type']})"
    worst_ms, worst_mb = max(times), max(max(peaks), max(rss_growth))
    ok = 400 <= response.status_code < 500 and worst_ms <= TARGET_MS and worst_mb <= TARGET_MB
    return {
        "label": label,
        "status": response.status_code,
        "code": code,
        "median_ms": statistics.median(times),
        "worst_ms": worst_ms,
        "peak_alloc_mb": max(peaks),
        "rss_growth_mb": max(rss_growth),
        "ok": ok,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesh_catalog.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("FIELD_ENCRYPTION_KEY", "YmVuY2gtb25seS1maWVsZC1lbmNyeXB0aW9uLWtleSE=")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    setup_database(args.database_url)

    import django

    django.setup()
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # every request here is a 4xx on purpose
    from django.core.management import call_command
    from django.test import Client

    from apps.catalog import actions
    from apps.core.actions import create_token
    from apps.core.testing import SYSTEM, make_user
    from apps.harvest.actions import create_source

    call_command("migrate", verbosity=0, skip_checks=True)
    admin = make_user("bench-admin", superuser=True)
    owner = make_user("bench-owner")
    sales = actions.create_domain(SYSTEM, slug="sales", name="Sales")
    orders = actions.create_product(SYSTEM, domain=sales, slug="orders", name="Orders")
    actions.add_owner(SYSTEM, orders, user=owner)
    create_source(SYSTEM, name="shop-dbt", kind="dbt", config={"warehouse_namespace": "postgres://wh:5432"})
    tokens = {"owner": create_token(owner, name="bench")[1], "admin": create_token(admin, name="bench")[1]}
    client = Client(raise_request_exception=False)
    # Warm up each endpoint with a benign request (imports, URL resolver, GraphQL schema), so
    # the figures are the steady-state cost of a refusal, not the process's first request.
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['owner']}"}
    exported = client.get("/api/v1/products/orders/descriptor?format=yaml", **auth).content
    client.generic("PUT", "/api/v1/products/orders/descriptor", exported, content_type="application/yaml", **auth)
    client.post("/graphql", json.dumps({"query": "{ dataProducts { totalCount } }"}), "application/json", **auth)
    client.get("/api/v1/ports/", **auth)

    print(f"catalog: {args.database_url}  repeat: {args.repeat}  targets: ≤ {TARGET_MS:g} ms, ≤ {TARGET_MB:g} MB")
    header = f"{'input':40} {'status':>6} {'code':24} {'median':>8} {'worst':>8} {'alloc':>8} {'rss+':>7}  ok"
    print(header)
    print("-" * len(header))
    results = []
    for request in hostile_requests():
        role = "admin" if "lineage" in request[2] or "dbt" in request[2] else "owner"
        row = measure(client, {"HTTP_AUTHORIZATION": f"Bearer {tokens[role]}"}, request, args.repeat)
        results.append(row)
        print(
            f"{row['label']:40} {row['status']:>6} {row['code'][:24]:24} {row['median_ms']:7.1f}ms {row['worst_ms']:7.1f}ms"
            f" {row['peak_alloc_mb']:6.1f}MB {row['rss_growth_mb']:5.1f}MB  {'yes' if row['ok'] else 'NO'}"
        )
    failed = [r["label"] for r in results if not r["ok"]]
    print(f"\n{len(results) - len(failed)}/{len(results)} within target" + (f"; over: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
