"""Server render time of every main page on the 5,000-table benchmark catalog.

    .venv/bin/python bench/web_pages.py [--datasets 5000] [--runs 30]

Builds its own database (``MESH_BENCH_DATABASE_URL``, default
``postgresql://postgres@127.0.0.1:5432/mesh_bench_web``, dropped and recreated), generates
the catalog with the search benchmark's set-based generator (domains, products with output
ports, datasets with 19 columns), then adds dataset lineage (chains and fan-ins), products
consuming each other, an owner, and one wide product with 50 output ports over datasets of
200 columns each. Rebuilds the search index, then requests each page through Django's
test client (a full request: middleware, session, permissions, queries, templates) and
prints p50 / p95 and the number of queries per page. Target: p95 ≤ 150 ms.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ["DATABASE_URL"] = os.environ.get(
    "MESH_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/mesh_bench_web"
)
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("MESH_DATA_DIR", str(ROOT / "var" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesh_catalog.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

WIDE_PORTS, WIDE_COLUMNS = 50, 200


def add_lineage_and_consumers(cursor) -> None:
    """Dataset lineage in chains of ten plus fan-ins; each product consumes its predecessor."""
    cursor.execute(
        """INSERT INTO catalog_lineageedge (upstream_id, downstream_id, evidence, details, created_at)
           SELECT d.id, d.id + 1, 'manual', '{}', now() FROM catalog_dataset d
           WHERE d.id % 10 <> 0 AND EXISTS (SELECT 1 FROM catalog_dataset e WHERE e.id = d.id + 1)"""
    )
    cursor.execute(
        """INSERT INTO catalog_lineageedge (upstream_id, downstream_id, evidence, details, created_at)
           SELECT d.id, (SELECT min(id) FROM catalog_dataset) + (d.id * 31) % 500, 'dbt', '{}', now() FROM catalog_dataset d
           WHERE d.id % 7 = 0 AND (SELECT min(id) FROM catalog_dataset) + (d.id * 31) % 500 <> d.id
           ON CONFLICT DO NOTHING"""
    )
    cursor.execute(
        """INSERT INTO catalog_port (product_id, direction, name, protocol, format, endpoint, endpoint_details, description, upstream_port_id, created_at, updated_at)
           SELECT p.id, 'input', 'from-previous', 'postgres', '', '', '{}', '', up.id, now(), now()
           FROM catalog_dataproduct p JOIN catalog_port up ON up.product_id = p.id - 1 AND up.direction = 'output'"""
    )


def add_wide_product(cursor) -> str:
    cursor.execute("SELECT min(id) FROM catalog_domain")
    domain_id = cursor.fetchone()[0]
    cursor.execute(
        """INSERT INTO catalog_dataproduct (slug, domain_id, name, summary, description, lifecycle, classification, cost_currency, revision, created_at, updated_at)
           VALUES ('wide', %s, 'Wide product', '50 ports over 200-column tables', '# Wide\n\nMany ports.', 'published', 'internal', '', 1, now(), now()) RETURNING id""",
        [domain_id],
    )
    product_id = cursor.fetchone()[0]
    cursor.execute(
        f"""WITH ds AS (
              INSERT INTO catalog_dataset (namespace, name, short_name, platform, kind, description, owner, first_seen_at, last_seen_at, properties, schema_hash)
              SELECT 'postgres://wide:5432', 'wh.wide.t' || i, 't' || i, 'postgres', 'table', '', '', now(), now(), '{{}}', ''
              FROM generate_series(1, {WIDE_PORTS}) i RETURNING id, short_name)
            , cols AS (
              INSERT INTO catalog_column (dataset_id, name, ordinal, data_type, nullable, "default", description, is_primary_key, is_generated, tags)
              SELECT ds.id, 'c' || j, j, 'text', true, '', 'Column ' || j || ' of ' || ds.short_name, j = 1, false, '[]' FROM ds CROSS JOIN generate_series(1, {WIDE_COLUMNS}) j)
            , ports AS (
              INSERT INTO catalog_port (product_id, direction, name, protocol, format, endpoint, endpoint_details, description, created_at, updated_at)
              SELECT {product_id}, 'output', 'port-' || ds.short_name, 'postgres', 'table', 'postgres://wide:5432/wh', '{{}}', '', now(), now() FROM ds
              RETURNING id, name)
            INSERT INTO catalog_portdataset (port_id, dataset_id)
            SELECT ports.id, ds.id FROM ports JOIN ds ON ports.name = 'port-' || ds.short_name"""
    )
    return "wide"


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    from search_bench import generate, setup_database

    setup_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.catalog.models import DataProduct, Dataset, Domain, Ownership
    from apps.search.indexer import rebuild

    call_command("migrate", verbosity=0, skip_checks=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        counts = generate(cursor, args.datasets)
        add_lineage_and_consumers(cursor)
        wide = add_wide_product(cursor)
        cursor.execute("ANALYZE")
    rebuild()
    print(
        f"catalog: {counts}, plus lineage, consumers and a {WIDE_PORTS}×{WIDE_COLUMNS} product; built in {time.perf_counter() - started:.1f}s"
    )

    owner = get_user_model().objects.create_user("bench-owner", password="x")
    product = DataProduct.objects.exclude(slug=wide).order_by("id")[len(DataProduct.objects.all()) // 2]
    Ownership.objects.create(user=owner, product=product)
    Ownership.objects.create(user=owner, product=DataProduct.objects.get(slug=wide))
    dataset = Dataset.objects.filter(port_links__isnull=False).order_by("id")[100]
    domain = Domain.objects.order_by("id").first()
    client = Client()
    client.force_login(owner)
    pages = {
        "home": "/",
        "search": "/search/?q=order+customer",
        "search + facet": "/search/?q=order&type=dataset&platform=postgres",
        "domain": f"/domains/{domain.slug}/",
        "product": f"/products/{product.slug}/",
        "product (50 ports × 200 columns)": f"/products/{wide}/",
        "  its schema section": f"/products/{wide}/schema/",
        "  its quality section": f"/products/{wide}/quality/",
        "product history": f"/products/{product.slug}/history/",
        "dataset": f"/datasets/{dataset.pk}/",
        "lineage, dataset, 1 hop": f"/lineage/?focus=d{dataset.pk}",
        "lineage, dataset, 4 hops": f"/lineage/?focus=d{dataset.pk}&depth=4",
        "lineage, product": f"/lineage/?focus=p{product.pk}",
        "lineage, domain graph": f"/lineage/?domain={domain.slug}",
        "profile": "/profile/",
    }
    print(f"{'page':<36} {'p50':>8} {'p95':>8} {'queries':>8}")
    worst = 0.0
    for label, url in pages.items():
        for _ in range(3):  # warm caches as a running server has them
            assert client.get(url).status_code == 200, url
        timings = []
        for _ in range(args.runs):
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
        worst = max(worst, percentile(timings, 95))
        print(
            f"{label:<36} {percentile(timings, 50):6.1f}ms {percentile(timings, 95):6.1f}ms {len(ctx.captured_queries):>8}"
        )
    print(f"worst p95: {worst:.1f} ms (target ≤ 150 ms)")


if __name__ == "__main__":
    main()
