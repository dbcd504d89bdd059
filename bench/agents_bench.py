"""MCP benchmark: ``search`` and ``get_data_product`` over HTTP, and what ``run_query`` adds to the lab.

    .venv/bin/python bench/agents_bench.py --database mesh_bench_agents --requests 200

Builds the API benchmark's catalog (``bench/api_bench.py``: 5,000 datasets × 20 columns, 500
products) in a fresh PostgreSQL database, plus a tiny warehouse database with a reader role
bound to one product's port. Serves the catalog's own WSGI application on 127.0.0.1 (a
threaded ``wsgiref`` server, as gunicorn would run it) and drives ``/mcp`` with the MCP SDK's
streamable-HTTP client (one session, one POST per tool call), printing p50/p95 per tool.
Then times the same SELECT through ``apps.lab.runner.run_query`` directly and through the
agent tool, and prints the difference.

Targets (issue 18): search and get_data_product p95 ≤ 50 ms; run_query adds ≤ 10 ms.
"""

import argparse
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class _Threaded(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def _pct(values: list[float]) -> str:
    values = sorted(values)
    return f"p50 {statistics.median(values):.1f} ms, p95 {values[int(len(values) * 0.95) - 1]:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="mesh_bench_agents")
    parser.add_argument("--warehouse", default="mesh_bench_agents_wh")
    parser.add_argument("--datasets", type=int, default=5_000)
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    import psycopg

    from bench.api_bench import add_owners, generate, setup_database

    url = f"{args.server}/{args.database}"
    setup_database(url)
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{args.warehouse}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{args.warehouse}"')
        admin.execute("DROP ROLE IF EXISTS mesh_bench_reader")
        admin.execute("CREATE ROLE mesh_bench_reader LOGIN PASSWORD 'bench-reader'")
    with psycopg.connect(f"{args.server}/{args.warehouse}", autocommit=True) as wh:
        wh.execute("CREATE SCHEMA sales")
        wh.execute(
            "CREATE TABLE sales.orders AS SELECT g AS order_id, (g % 7)::text AS status FROM generate_series(1, 10000) g"
        )
        wh.execute(
            "GRANT USAGE ON SCHEMA sales TO mesh_bench_reader; GRANT SELECT ON sales.orders TO mesh_bench_reader"
        )

    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="mesh_catalog.settings",
        LOG_LEVEL="WARNING",
        DEBUG="False",
        SECRET_KEY="bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        FIELD_ENCRYPTION_KEY="YmVuY2gtb25seS1maWVsZC1lbmNyeXB0aW9uLWtleSE=",
        SECURE_SSL_REDIRECT="False",
        MESH_LAB_RATE_LIMIT_PER_MINUTE="0",
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from apps.catalog import actions
    from apps.core.actions import create_token
    from apps.core.testing import SYSTEM, make_user
    from apps.harvest.models import Source
    from apps.search.indexer import rebuild

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, skip_checks=True)
    with connection.cursor() as cursor:
        counts = generate(cursor, args.datasets, args.products, 20)
    add_owners(50)
    host = args.server.split("@")[-1].split("/")[0]
    source = Source.objects.create(
        name="bench-wh",
        kind="postgres",
        config={
            "dsn": f"postgresql://mesh_bench_reader@{host}/{args.warehouse}",
            "reader_dsn": f"postgresql://mesh_bench_reader@{host}/{args.warehouse}",
        },
        secrets={"reader_password": "bench-reader"},
    )
    dataset = actions.register_dataset(
        SYSTEM,
        namespace=f"postgres://{host}",
        name=f"{args.warehouse}.sales.orders",
        platform="postgres",
        source=source,
        columns=[{"name": "order_id", "type": "integer"}, {"name": "status", "type": "text"}],
    )
    from apps.catalog.models import DataProduct

    product = DataProduct.objects.get(slug="product-1")
    port = actions.create_port(SYSTEM, product, name="bench-orders", direction="output", datasets=[dataset])
    rebuild()
    print(f"generated {counts} in {time.perf_counter() - t0:.1f} s")

    user = make_user("bench-agent", superuser=False)
    _, token = create_token(user, name="bench")
    from mesh_catalog.wsgi import application

    server = make_server("127.0.0.1", 0, application, server_class=_Threaded, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/mcp"

    import anyio
    from mcp import ClientSession
    from mcp.client.streamable_http import create_mcp_http_client, streamable_http_client

    rng = random.Random(7)
    words = ["orders", "customer", "revenue", "shipment", "invoice", "campaign", "stock", "payment"]

    async def drive():
        timings: dict[str, list[float]] = {"search": [], "get_data_product": []}
        async with (
            create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as http,
            streamable_http_client(base, http_client=http) as streams,
            ClientSession(streams[0], streams[1]) as session,
        ):
            await session.initialize()
            for i in range(args.requests):
                for name, arguments in (
                    ("search", {"query": rng.choice(words)}),
                    ("get_data_product", {"slug": f"product-{rng.randint(1, args.products)}"}),
                ):
                    t = time.perf_counter()
                    result = await session.call_tool(name, arguments)
                    if i:  # the first call warms the bridge and connections
                        timings[name].append((time.perf_counter() - t) * 1000)
                    assert not result.is_error, result.content
        return timings

    for name, values in anyio.run(drive).items():
        print(f"MCP over HTTP {name}: {_pct(values)} ({len(values)} calls, client-measured round trip)")

    from apps.agents import tools
    from apps.lab.runner import run_query

    sql = "SELECT status, count(*) AS n FROM sales.orders GROUP BY status"
    lab, agent = [], []
    for _ in range(args.requests):
        t = time.perf_counter()
        assert run_query(user, port, sql).ok
        lab.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        tools.run_query(user, "product-1", "bench-orders", sql)
        agent.append((time.perf_counter() - t) * 1000)
    lab, agent = lab[1:], agent[1:]
    added = statistics.median(agent) - statistics.median(lab)
    print(f"lab runner: {_pct(lab)}; agent run_query: {_pct(agent)}; added median {added:.1f} ms")
    server.shutdown()


if __name__ == "__main__":
    main()
