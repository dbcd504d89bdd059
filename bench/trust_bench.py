"""Maturity benchmark: full DATSIS recompute of a generated mesh, and the incremental update after one edit.

    .venv/bin/python bench/trust_bench.py [--database mesh_bench_trust] [--products 5000] [--columns 10]

Generates (INSERT … SELECT generate_series) a mesh of ``--products`` products, each with
two output ports over one dataset each (``--columns`` columns per dataset: 5,000 × 2 × 10
= 100,000 columns), owners on most, input ports consuming other products, lineage, a
quality check per dataset with 10 results over 30 days, sample queries and lab runs, a
few open incidents. Then times, on PostgreSQL:

- the first full recompute (every score row and trend point written);
- a second full recompute (nothing changed: nothing written);
- the incremental update after one owner edit (``update_product`` then the after-commit
  re-score of that product), median and max of 20 edits.

Targets: full recompute ≤ 5 s, incremental ≤ 50 ms. The database (``--server`` +
``--database``) is dropped and recreated each run.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def generate(cursor, n_products: int, n_columns: int) -> dict:
    """Catalog rows, set-based: the shape of a real mesh, with every criterion both passing and failing somewhere."""
    steps = [
        """INSERT INTO auth_user (username, password, is_superuser, first_name, last_name, email, is_staff, is_active, date_joined)
           SELECT 'user' || i, '!', false, '', '', '', false, true, now() FROM generate_series(1, 50) i""",
        """INSERT INTO catalog_domain (slug, name, description, parent_id, path, depth, created_at, updated_at)
           SELECT 'domain-' || i, 'Domain ' || i, '', NULL, '/domain-' || i || '/', 0, now(), now() FROM generate_series(1, 40) i""",
        """INSERT INTO catalog_ownership (user_id, team_id, domain_id, product_id, role, created_at, updated_at)
           SELECT (SELECT min(id) FROM auth_user) + i % 50, NULL, d.id, NULL, 'owner', now(), now()
           FROM catalog_domain d, generate_series(1, 1) i WHERE d.id % 2 = 0""",
        """INSERT INTO catalog_tag (slug, name) SELECT 'tag-' || i, 'tag-' || i FROM generate_series(1, 100) i""",
        f"""INSERT INTO catalog_dataproduct (slug, domain_id, name, summary, description, lifecycle, classification, cost_currency, revision, created_at, updated_at)
            SELECT 'product-' || i, (SELECT min(id) FROM catalog_domain) + i % 40, 'Product ' || i,
                   CASE WHEN i % 3 = 0 THEN '' ELSE 'The generated product number ' || i || ' of the mesh' END,
                   CASE WHEN i % 4 = 0 THEN '' ELSE E'## Purpose\\nAnalysis.\\n\\n## Grain\\nOne row per thing.\\n\\n## Caveats\\nNone known. ' || repeat('More words. ', 20 * (i % 3)) END,
                   (ARRAY['published','published','draft','deprecated'])[1 + i % 4],
                   (ARRAY['public','internal','confidential','restricted'])[1 + i % 4], '', 1, now(), now()
            FROM generate_series(1, {n_products}) i""",
        """INSERT INTO catalog_dataproduct_tags (dataproduct_id, tag_id)
           SELECT p.id, (SELECT min(id) FROM catalog_tag) + p.id % 100 FROM catalog_dataproduct p WHERE p.id % 5 <> 0""",
        """INSERT INTO catalog_ownership (user_id, team_id, domain_id, product_id, role, created_at, updated_at)
           SELECT (SELECT min(id) FROM auth_user) + p.id % 50, NULL, NULL, p.id, 'owner', now(), now() FROM catalog_dataproduct p WHERE p.id % 7 <> 0""",
        """INSERT INTO catalog_port (product_id, direction, name, protocol, format, endpoint, endpoint_details, description, created_at, updated_at)
           SELECT p.id, 'output', 'table-' || k, CASE WHEN p.id % 9 = 0 THEN 'other' ELSE 'postgres' END, 'table',
                  CASE WHEN p.id % 6 = 0 THEN '' ELSE 'postgres://wh:5432/warehouse' END,
                  CASE WHEN p.id % 3 = 0 THEN '{"latency": "1d"}' ELSE '{}' END::jsonb, '', now(), now()
           FROM catalog_dataproduct p CROSS JOIN generate_series(1, 2) k""",
        """INSERT INTO catalog_dataset (namespace, name, short_name, platform, kind, description, owner, first_seen_at, last_seen_at, last_modified_at, properties, schema_hash)
           SELECT 'postgres://wh:5432', 'warehouse.s' || (p.id % 20) || '.t' || p.id || '_' || p.port_no,
                  CASE WHEN p.id % 11 = 0 THEN 'T' ELSE 't' END || p.id || '_' || p.port_no, 'postgres', 'table', '', 'etl', now(), now(),
                  now() - (p.id % 48) * interval '1 hour', '{}', ''
           FROM (SELECT id, k AS port_no FROM catalog_dataproduct CROSS JOIN generate_series(1, 2) k) p""",
        """INSERT INTO catalog_portdataset (port_id, dataset_id)
           SELECT po.id, d.id FROM catalog_port po JOIN catalog_dataproduct p ON p.id = po.product_id
           JOIN catalog_dataset d ON d.name = 'warehouse.s' || (p.id % 20) || '.t' || p.id || '_' || substr(po.name, 7)
           WHERE po.direction = 'output'""",
        f"""INSERT INTO catalog_column (dataset_id, name, ordinal, data_type, nullable, "default", description, is_primary_key, is_generated, tags)
            SELECT d.id, CASE WHEN j = 3 AND d.id % 13 = 0 THEN 'BadName' ELSE 'col_' || j END, j, 'text', j <> 0, '',
                   CASE WHEN (d.id + j) % 4 = 0 THEN '' ELSE 'Column ' || j END, j = 0 AND d.id % 5 <> 0, false,
                   CASE WHEN j = 2 AND d.id % 3 = 0 THEN '["pii"]' ELSE '[]' END::jsonb
            FROM catalog_dataset d CROSS JOIN generate_series(0, {n_columns - 1}) j""",
        """INSERT INTO catalog_lineageedge (upstream_id, downstream_id, evidence, source_id, details, created_at)
           SELECT d.id - 2, d.id, 'dbt', NULL, '{}', now() FROM catalog_dataset d WHERE d.id % 4 <> 0 AND d.id > (SELECT min(id) + 2 FROM catalog_dataset)""",
        """INSERT INTO catalog_port (product_id, direction, name, protocol, format, endpoint, endpoint_details, description, upstream_port_id, created_at, updated_at)
           SELECT p.id, 'input', 'in', 'postgres', '', '', '{}', '',
                  CASE WHEN p.id % 10 = 0 THEN NULL ELSE (SELECT min(id) FROM catalog_port) + (p.id * 7) % 1000 END, now(), now()
           FROM catalog_dataproduct p WHERE p.id % 2 = 0""",
        """INSERT INTO catalog_qualitycheck (dataset_id, column_name, key, name, check_type, category, source_id, definition)
           SELECT d.id, 'col_0', 'not_null_' || d.id, 'not_null_col_0', 'not_null', 'completeness', NULL, '{}'
           FROM catalog_dataset d WHERE d.id % 3 <> 0""",
        """INSERT INTO catalog_qualityresult (quality_check_id, status, observed_at, run_key, failures, message, details)
           SELECT c.id, CASE WHEN (c.id + k) % 17 = 0 THEN 'fail' ELSE 'pass' END, now() - k * interval '3 days', 'run-' || k, NULL, '', '{}'
           FROM catalog_qualitycheck c CROSS JOIN generate_series(0, 9) k""",
        """INSERT INTO lab_samplequery (port_id, dataset_id, title, description, sql, origin, created_by_id, created_at, updated_at)
           SELECT po.id, NULL, 'First rows', '', 'select 1', 'curated', NULL, now(), now()
           FROM catalog_port po WHERE po.direction = 'output' AND po.name = 'table-1' AND po.product_id % 2 = 1""",
        """INSERT INTO lab_queryrun (token, user_id, product_id, port_id, sample_query_id, sql, status, truncated, error, created_at)
           SELECT 'tok-' || po.id, NULL, po.product_id, po.id, NULL, 'select 1', CASE WHEN po.id % 5 = 0 THEN 'failed' ELSE 'succeeded' END, false, '', now() - interval '2 days'
           FROM catalog_port po WHERE po.direction = 'output' AND po.product_id % 3 = 1""",
        """INSERT INTO trust_incident (product_id, title, severity, cause, cause_key, opened_at, resolved_at, opened_by_id, created_at, updated_at)
           SELECT p.id, 'Late data', 'major', 'manual', '', now() - interval '1 day', CASE WHEN p.id % 2 = 0 THEN now() END, NULL, now(), now()
           FROM catalog_dataproduct p WHERE p.id % 25 = 0""",
    ]
    for sql in steps:
        cursor.execute(sql)
    cursor.execute("ANALYZE")
    counts = {}
    for table in (
        "catalog_dataproduct",
        "catalog_port",
        "catalog_dataset",
        "catalog_column",
        "catalog_qualityresult",
        "catalog_lineageedge",
    ):
        cursor.execute(f"SELECT count(*) FROM {table}")
        counts[table.split("_", 1)[1]] = cursor.fetchone()[0]
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="mesh_bench_trust")
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--columns", type=int, default=10, help="columns per dataset (two datasets per product)")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"{args.server}/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesh_catalog.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.pop("REDIS_URL", None)
    setup_database(args.server, args.database)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0, skip_checks=True)
    with connection.cursor() as cursor:
        started = time.perf_counter()
        counts = generate(cursor, args.products, args.columns)
    print(f"mesh: {counts}, generated in {time.perf_counter() - started:.1f} s; load average {os.getloadavg()}")

    from apps.catalog import actions
    from apps.catalog.models import DataProduct
    from apps.core.actors import SystemActor
    from apps.trust.models import ProductMaturity
    from apps.trust.scoring import recompute

    for label in ("full recompute (first)", "full recompute (unchanged)"):
        timings: dict = {}
        started, cpu = time.perf_counter(), time.process_time()
        result = recompute(timings=timings)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"{label}: {elapsed:.2f} s wall, {cpu:.2f} s CPU in this process  {result}")
        slowest = sorted(((k, v) for k, v in timings.items()), key=lambda kv: -kv[1])[:6]
        print("   slowest steps: " + ", ".join(f"{k} {v:.3f}s" for k, v in slowest))
    levels = list(ProductMaturity.objects.values_list("level", flat=True))
    print("   levels: " + ", ".join(f"L{lv} {levels.count(lv)}" for lv in sorted(set(levels))))

    actor = SystemActor("bench")
    ids = list(DataProduct.objects.order_by("?").values_list("pk", flat=True)[: args.edits])
    edit_times, rescore_times = [], []
    for i, pk in enumerate(ids):
        product = DataProduct.objects.select_related("domain").get(pk=pk)
        started = time.perf_counter()
        with transaction.atomic():
            actions.update_product(actor, product, summary=f"Edited summary number {i} of the benchmark product")
        total = time.perf_counter() - started  # includes the after-commit listeners (search and trust)
        started = time.perf_counter()
        recompute([pk])  # the re-score alone, facts unchanged since the listener ran
        rescore_times.append(time.perf_counter() - started)
        edit_times.append(total)
    print(
        f"incremental re-score of one product: median {statistics.median(rescore_times) * 1000:.1f} ms, "
        f"max {max(rescore_times) * 1000:.1f} ms over {len(ids)} edits"
    )
    print(
        f"owner edit incl. all after-commit listeners (search + trust): median {statistics.median(edit_times) * 1000:.1f} ms, "
        f"max {max(edit_times) * 1000:.1f} ms"
    )
    if not args.keep:
        connection.close()
        import psycopg

        with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
