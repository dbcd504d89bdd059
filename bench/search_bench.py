"""Search benchmark: a million searchable entities in PostgreSQL, then search, autocomplete and reindex.

    .venv/bin/python bench/search_bench.py --database mesh_bench_search [--datasets 50000] [--reuse]

Generates (with INSERT … SELECT generate_series, in seconds) domains, tags, products with
output ports, datasets with 19 columns each — 50,000 datasets make 1,002,141 entities —
rebuilds the search index (``apps.search.indexer.rebuild``; columns have no entries, only
their distinct names are recorded), then times a fixed mix of 200 searches with facet counts
(exact names, prefixes, typos, several words, with filters) and 250 autocompletes, printing
p50/p95/max, and the reindex after a harvest changed 100, 1,000 and 5,000 datasets (wall
and statements). The database is dropped and recreated each run unless ``--reuse``.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/mesh_bench_search"

# fmt: off
WORDS = [
    'order', 'customer', 'payment', 'invoice', 'shipment', 'product', 'account', 'session', 'event', 'revenue',
    'refund', 'return', 'cart', 'checkout', 'coupon', 'discount', 'carrier', 'warehouse', 'stock', 'inventory',
    'supplier', 'purchase', 'campaign', 'click', 'impression', 'lead', 'contact', 'ticket', 'agent', 'call',
    'chat', 'survey', 'review', 'rating', 'subscription', 'plan', 'billing', 'ledger', 'journal', 'balance',
    'asset', 'budget', 'forecast', 'margin', 'cost', 'price', 'tax', 'currency', 'region', 'country', 'city',
    'store', 'channel', 'device', 'visit', 'page', 'search', 'query', 'basket', 'wishlist', 'loyalty', 'reward',
    'points', 'promotion', 'segment', 'cohort', 'churn', 'retention', 'funnel', 'conversion', 'employee',
    'payroll', 'salary', 'contract', 'vendor', 'claim', 'policy', 'premium', 'risk', 'fraud', 'alert', 'incident',
    'deploy', 'build', 'release', 'sensor', 'reading', 'meter', 'energy', 'trip', 'route', 'driver', 'vehicle',
    'fleet', 'delivery', 'parcel', 'label', 'scan', 'dispatch', 'slot', 'booking',
]
# fmt: on
# fmt: off
COLUMN_WORDS = [
    'id', 'created_at', 'updated_at', 'deleted_at', 'status', 'amount', 'currency', 'quantity', 'price', 'total',
    'name', 'email', 'phone', 'country', 'city', 'postal_code', 'street', 'description', 'type', 'category',
    'source', 'channel', 'region', 'score', 'rank', 'note', 'is_active', 'is_deleted', 'valid_from', 'valid_to',
    'event_time', 'event_type', 'user_id', 'session_id', 'device_id', 'ip_address', 'user_agent', 'order_id',
    'customer_id', 'product_id', 'payment_id', 'invoice_id', 'shipment_id', 'account_id', 'campaign_id',
    'store_id', 'discount_amount', 'tax_amount', 'net_amount', 'gross_amount', 'unit_price', 'first_name',
    'last_name', 'birth_date', 'signup_date', 'last_login_at', 'loyalty_tier', 'lifetime_value', 'order_count',
    'visit_count', 'click_count',
]
# fmt: on


def setup_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def sql_array(words) -> str:
    return "ARRAY[" + ",".join(f"'{w}'" for w in words) + "]"


def generate(cursor, n_datasets: int) -> dict:
    """Catalog rows, set-based. Names combine a vocabulary so that words repeat like in real catalogs."""
    w, nw = sql_array(WORDS), len(WORDS)
    c, nc = sql_array(COLUMN_WORDS), len(COLUMN_WORDS)
    n_products = max(20, n_datasets // 25)
    n_domains = 40
    steps = [
        f"""INSERT INTO catalog_domain (slug, name, description, parent_id, path, depth, created_at, updated_at)
            SELECT ({w})[1 + i % {nw}] || '-' || i, initcap(({w})[1 + i % {nw}]) || ' ' || i, 'Domain of ' || ({w})[1 + i % {nw}],
                   NULL, '/' || ({w})[1 + i % {nw}] || '-' || i || '/', 0, now(), now()
            FROM generate_series(1, {n_domains}) i""",
        f"""INSERT INTO catalog_tag (slug, name) SELECT ({w})[i] || '-tag', ({w})[i] || '-tag' FROM generate_series(1, {nw}) i""",
        f"""INSERT INTO catalog_dataproduct (slug, domain_id, name, summary, description, lifecycle, classification, cost_currency, revision, created_at, updated_at)
            SELECT 'p' || i || '-' || ({w})[1 + i % {nw}] || '-' || ({w})[1 + (i * 7) % {nw}],
                   (SELECT min(id) FROM catalog_domain) + i % {n_domains},
                   initcap(({w})[1 + i % {nw}]) || ' ' || initcap(({w})[1 + (i * 7) % {nw}]) || ' ' || i,
                   'The ' || ({w})[1 + i % {nw}] || ' ' || ({w})[1 + (i * 7) % {nw}] || ' of the mesh',
                   'Built from ' || ({w})[1 + (i * 3) % {nw}] || ' and ' || ({w})[1 + (i * 5) % {nw}] || ' data.',
                   (ARRAY['published','published','published','draft','deprecated','retired'])[1 + i % 6],
                   (ARRAY['public','internal','confidential','restricted'])[1 + i % 4], '', 1, now(), now()
            FROM generate_series(1, {n_products}) i""",
        """INSERT INTO catalog_dataproduct_tags (dataproduct_id, tag_id)
            SELECT p.id, (SELECT min(id) FROM catalog_tag) + (p.id + k * 37) % 100 FROM catalog_dataproduct p CROSS JOIN generate_series(1, 2) k""",
        """INSERT INTO catalog_port (product_id, direction, name, protocol, format, endpoint, endpoint_details, description, created_at, updated_at)
            SELECT id, 'output', 'tables', (ARRAY['postgres','glue','kafka'])[1 + id % 3], 'table', '', '{}', '', now(), now() FROM catalog_dataproduct""",
        f"""INSERT INTO catalog_dataset (namespace, name, short_name, platform, kind, description, owner, first_seen_at, last_seen_at, properties, schema_hash)
            SELECT 'postgres://wh' || (i % 5) || ':5432',
                   'warehouse.' || ({w})[1 + i % 20] || '.' || ({w})[1 + (i * 7) % {nw}] || '_' || ({w})[1 + (i * 13) % {nw}] || '_' || i,
                   ({w})[1 + (i * 7) % {nw}] || '_' || ({w})[1 + (i * 13) % {nw}] || '_' || i,
                   (ARRAY['postgres','glue','kafka'])[1 + i % 3], 'table',
                   'One row per ' || ({w})[1 + (i * 7) % {nw}] || ' and ' || ({w})[1 + (i * 11) % {nw}] || '.', 'etl', now(), now(), '{{}}', ''
            FROM generate_series(1, {n_datasets}) i""",
        f"""INSERT INTO catalog_column (dataset_id, name, ordinal, data_type, nullable, "default", description, is_primary_key, is_generated, tags)
            SELECT d.id, ({c})[1 + (d.id * 19 + j) % {nc}], j, 'text', true, '', '', j = 0, false, '[]'
            FROM catalog_dataset d CROSS JOIN generate_series(0, 18) j""",
        f"""INSERT INTO catalog_portdataset (port_id, dataset_id)
            SELECT (SELECT min(id) FROM catalog_port) + (d.id % {n_products}), d.id FROM catalog_dataset d WHERE d.id % 2 = 0""",
    ]
    for sql in steps:
        cursor.execute(sql)
    counts = {}
    for table in ("catalog_domain", "catalog_tag", "catalog_dataproduct", "catalog_dataset", "catalog_column"):
        cursor.execute(f"SELECT count(*) FROM {table}")
        counts[table] = cursor.fetchone()[0]
    cursor.execute("ANALYZE")
    return counts


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def query_mix(cursor, rng: random.Random) -> list[tuple[str, str, dict]]:
    cursor.execute("SELECT name FROM catalog_dataproduct ORDER BY id")
    products = [r[0] for r in cursor.fetchall()]
    cursor.execute("SELECT short_name, name FROM catalog_dataset WHERE id % 97 = 0 ORDER BY id")
    datasets = cursor.fetchall()
    cursor.execute("SELECT slug FROM catalog_domain ORDER BY id")
    domains = [r[0] for r in cursor.fetchall()]
    mix = []
    for _ in range(40):
        mix.append(("exact", rng.choice(datasets)[0] if rng.random() < 0.5 else rng.choice(products), {}))
    for _ in range(40):
        word = rng.choice(WORDS)
        mix.append(("prefix", word[: rng.randint(3, 5)], {}))
    for _ in range(40):
        mix.append(("typo", typo(rng.choice([w for w in WORDS if len(w) >= 6]), rng), {}))
    for _ in range(40):
        mix.append(("multi-word", " ".join(rng.sample(WORDS, rng.randint(2, 3))), {}))
    for _ in range(40):
        filters = rng.choice(
            [
                {"type": ["product"]},
                {"type": ["dataset"], "platform": ["glue"]},
                {"domain": [rng.choice(domains)]},
                {"lifecycle": ["published"], "type": ["dataset", "product"]},
                {"tag": [rng.choice(WORDS[:100]) + "-tag"]},
            ]
        )
        mix.append(("with filters", " ".join(rng.sample(WORDS, rng.randint(1, 2))), filters))
    return mix


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database and index of the last run; time the queries only"
    )
    parser.add_argument("--server", default="", help="PostgreSQL server URL without a database (with --database).")
    parser.add_argument(
        "--database", default="", help="Catalog database to (re)create (default: $DATABASE_URL or mesh_bench_search)."
    )
    args = parser.parse_args()
    if args.server or args.database:
        server = args.server or os.environ.get("MESH_BENCH_SERVER", "postgresql://postgres@127.0.0.1:5432")
        os.environ["DATABASE_URL"] = f"{server.rstrip('/')}/{args.database or 'mesh_bench_search'}"
    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesh_catalog.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if not args.reuse:
        setup_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from apps.search.indexer import rebuild
    from apps.search.service import autocomplete, search

    call_command("migrate", verbosity=0, skip_checks=True)
    if not args.reuse:
        with connection.cursor() as cursor:
            started = time.perf_counter()
            counts = generate(cursor, args.datasets)
            generated = time.perf_counter() - started
        print(f"catalog: {counts} = {sum(counts.values()):,} entities, generated in {generated:.1f}s")
        started = time.perf_counter()
        per_kind = rebuild()
        build = time.perf_counter() - started
        print(f"index build: {sum(per_kind.values()):,} entries in {build:.1f}s ({per_kind})")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('search_searchentry')), pg_size_pretty(pg_total_relation_size('search_searchfacet')), (SELECT count(*) FROM search_searchword)"
        )
        size_entries, size_facets, words = cursor.fetchone()
    print(f"index size: entries {size_entries}, facets {size_facets}, vocabulary {words:,} words")

    rng = random.Random(args.seed)
    with connection.cursor() as cursor:
        mix = query_mix(cursor, rng)
    for _, q, filters in mix[:20]:  # warm the caches the way a running server has them
        search(q, filters=filters)
    timings: dict[str, list[float]] = {}
    counts_seen = []
    for kind, q, filters in mix:
        started = time.perf_counter()
        result = search(q, filters=filters)
        timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        counts_seen.append(result.count)
    all_ms = [t for ts in timings.values() for t in ts]
    print(
        f"search with facet counts, {len(all_ms)} queries: p50 {percentile(all_ms, 50):.1f} ms, p95 {percentile(all_ms, 95):.1f} ms, max {max(all_ms):.1f} ms; median hits {statistics.median(counts_seen):,.0f}, max hits {max(counts_seen):,}"
    )
    for kind, ts in timings.items():
        print(f"  {kind:<13} p50 {percentile(ts, 50):6.1f} ms  p95 {percentile(ts, 95):6.1f} ms")

    prefixes = [rng.choice(WORDS)[: rng.randint(2, 6)] for _ in range(200)] + [
        rng.choice(WORDS) + " " + rng.choice(WORDS)[:3] for _ in range(50)
    ]
    for p in prefixes[:20]:
        autocomplete(p)
    ac = []
    for p in prefixes:
        started = time.perf_counter()
        autocomplete(p)
        ac.append((time.perf_counter() - started) * 1000)
    print(
        f"autocomplete, {len(ac)} prefixes: p50 {percentile(ac, 50):.1f} ms, p95 {percentile(ac, 95):.1f} ms, max {max(ac):.1f} ms"
    )

    # A harvest's changes: reindex cost grows with the datasets changed, not with the catalog.
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    from apps.search.indexer import reindex_dependents

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM catalog_dataset ORDER BY id DESC LIMIT 5000")
        ids = [r[0] for r in cursor.fetchall()]
    for n in (100, 1000, 5000):
        with CaptureQueriesContext(connection) as statements, transaction.atomic():
            started = time.perf_counter()
            written = reindex_dependents("catalog.Dataset", ids[:n])
            elapsed = time.perf_counter() - started
        print(
            f"reindex after a harvest changed {n:,} datasets: {written:,} entries in {elapsed:.2f}s, {len(statements.captured_queries)} statements"
        )
    print(
        "targets: search p95 <= 20 ms, autocomplete p95 <= 15 ms, reindex of 5,000 datasets <= 2 s, index build <= 300 s"
    )


if __name__ == "__main__":
    main()
