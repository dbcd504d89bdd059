"""Costs benchmark: import a generated FOCUS export of N lines, then time the product cost panel.

    .venv/bin/python bench/costs_bench.py --database mesh_bench_costs --lines 1000000

Creates a fresh PostgreSQL catalog database (``--server`` + ``--database``, dropped and
recreated), 200 products in 20 domains with Glue tables on their output ports, writes a
FOCUS 1.x CSV of ``--lines`` lines to a temporary file (product tags, domain tags, Glue ARNs,
untagged lines, credits, refunds, two currencies), and imports it with
``python manage.py import_costs`` semantics (``apps.costs.actions.import_costs``) while
sampling the process's peak RSS. Then renders the product cost panel through the whole
Django stack (test client) and prints p50/p95 server time and SQL statements per request.

Targets (issue 16): 1,000,000 lines ≤ 30 s with peak memory < 300 MB; panel ≤ 20 ms.
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def build_mesh(n_products: int) -> tuple[list[str], list[str], list[str]]:
    from apps.catalog.models import DataProduct, Dataset, Domain, Port, PortDataset

    domains = Domain.objects.bulk_create(
        [Domain(slug=f"domain-{i}", name=f"Domain {i}", path=f"/domain-{i}/", depth=1) for i in range(20)]
    )
    products = DataProduct.objects.bulk_create(
        [DataProduct(slug=f"product-{i}", name=f"Product {i}", domain=domains[i % 20]) for i in range(n_products)]
    )
    ns = "arn:aws:glue:eu-west-1:123456789012"
    datasets = Dataset.objects.bulk_create(
        [
            Dataset(namespace=ns, name=f"table/db/t{i}", short_name=f"t{i}", platform="glue", size_bytes=1000 * (i + 1))
            for i in range(n_products)
        ]
    )
    ports = Port.objects.bulk_create([Port(product=p, direction="output", name="tables") for p in products])
    PortDataset.objects.bulk_create([PortDataset(port=p, dataset=d) for p, d in zip(ports, datasets, strict=True)])
    return [p.slug for p in products], [d.slug for d in domains], [f"{ns}:{d.name}" for d in datasets]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="mesh_bench_costs")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    setup_database(args.server, args.database)
    os.environ["DATABASE_URL"] = f"{args.server}/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesh_catalog.settings")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    products, domains, resources = build_mesh(args.products)

    from apps.core.actors import SystemActor
    from apps.costs.actions import import_costs
    from apps.costs.reports import months_back
    from apps.costs.samples import sample_lines, write_csv

    months = months_back(12)
    with tempfile.NamedTemporaryFile("w+", suffix=".csv", delete=False) as fh:
        started = time.perf_counter()
        write_csv(
            sample_lines(
                products=products,
                domains=domains,
                resources=resources,
                months=months,
                count=args.lines,
                currencies=("EUR", "USD"),
            ),
            "focus",
            fh,
        )
        path = fh.name
    size = os.path.getsize(path)
    print(f"generated {args.lines:,} FOCUS lines ({size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    with open(path, "rb") as fh:
        result = import_costs(
            SystemActor("bench"), fh, fmt="focus", source_name="bench", file_name="bench.csv", size=size
        )
    elapsed = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    os.unlink(path)
    assert result.status == "succeeded", result.errors
    print(
        f"import: {result.line_count:,} lines in {elapsed:.2f} s ({result.line_count / elapsed:,.0f} lines/s); "
        f"peak RSS {rss_after:.0f} MB (before import {rss_before:.0f} MB, growth {rss_after - rss_before:.0f} MB)"
    )

    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user = get_user_model().objects.create_user("bench", password="x")
    client = Client()
    client.force_login(user)
    timings, queries = [], 0
    for i in range(args.requests):
        slug = products[i % len(products)]
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(f"/products/{slug}/costs/")
            timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
        queries = len(ctx.captured_queries)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"product cost panel: p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, "
        f"max {timings[-1]:.1f} ms, {queries} SQL statements per request ({date.today():%Y-%m})"
    )


if __name__ == "__main__":
    main()
