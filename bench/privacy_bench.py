"""Benchmarks of apps.privacy: detection speed, precision/recall, sampling, the finder.

    .venv/bin/python bench/privacy_bench.py [--columns 100000] [--finder-columns 100000]
        [--finder-edges 200000] [--sample-copies 10] [--server postgresql://postgres@127.0.0.1:5432]
        [--catalog-db mesh_privacy_bench] [--keep]

1. Name/type detection over ``--columns`` generated columns (pure function, cold caches).
   Target ≤ 2 s for 100,000.
2. Precision and recall of detection with sampling on the Faker warehouse with decoys
   (``tests/privacy/warehouse.py``, harvested by the real PostgreSQL harvester).
   Target ≥ 0.95 / ≥ 0.95.
3. Sampling ~1,000 columns (the warehouse's tables copied ``--sample-copies`` times, 2,000
   rows each) with at most 4 connections, counted by polling ``pg_stat_activity``.
   Target ≤ 60 s, ≤ 4 connections.
4. The right-to-be-forgotten finder over ``--finder-columns`` columns and ``--finder-edges``
   column-lineage edges (5 layers of datasets, each column feeding two downstream
   datasets). Target ≤ 500 ms.

Both databases are created fresh on ``--server`` and dropped afterwards unless ``--keep``.
"""

import argparse
import io
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--columns", type=int, default=100_000)
    p.add_argument("--finder-columns", type=int, default=100_000)
    p.add_argument("--finder-edges", type=int, default=200_000)
    p.add_argument("--sample-copies", type=int, default=10)
    p.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    p.add_argument("--catalog-db", default="mesh_privacy_bench")
    p.add_argument("--keep", action="store_true")
    p.add_argument("--only", choices=["detect", "precision", "sampling", "finder"], help="Run one benchmark only.")
    return p.parse_args()


ARGS = parse_args()
os.environ["DATABASE_URL"] = f"{ARGS.server}/{ARGS.catalog_db}"
# the warehouse module derives its database names from this URL: <catalog-db>_privacy_wh[_sampling]
os.environ["MESH_TEST_DATABASE_URL"] = f"{ARGS.server}/{ARGS.catalog_db}"
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("MESH_DATA_DIR", str(REPO / "var" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesh_catalog.settings")
os.environ["MESH_PRIVACY_DETECT_AFTER_HARVEST"] = "False"


def recreate(name: str, create: bool = True) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{ARGS.server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- 1. name/type detection ------------------------------------------------------------

PII_NAMES = [
    "email",
    "first_name",
    "last_name",
    "phone_number",
    "date_of_birth",
    "street_address",
    "iban",
    "card_number",
    "ip_address",
    "latitude",
    "notes",
    "customer_id",
    "user_id",
    "ssn",
    "vorname",
    "telefono",
    "geburtsdatum",
    "postal_code",
]
OTHER_NAMES = [
    "amount",
    "status",
    "created_at",
    "updated_at",
    "order_id",
    "product_name",
    "quantity",
    "price",
    "email_sent",
    "sku",
    "currency",
    "is_active",
    "category",
    "region",
    "total",
    "description",
]
TYPES = ["text", "integer", "bigint", "numeric(12,2)", "date", "timestamp with time zone", "boolean", "varchar(200)"]


def bench_detection(n: int) -> None:
    from apps.privacy.detection import rules, types
    from apps.privacy.detection.detector import ColumnFacts, detect

    rng = random.Random(1)
    facts = []
    for i in range(n):
        base = rng.choice(PII_NAMES if rng.random() < 0.2 else OTHER_NAMES)
        # a third of the names are unique (prefixed by their table), the rest repeat as in real catalogs
        name = f"t{i // 20}_{base}" if rng.random() < 0.33 else base
        facts.append(ColumnFacts(i, name, rng.choice(TYPES), "", False, f"table_{i // 20}"))
    rules._match_name.cache_clear()
    rules.words.cache_clear()
    types.type_class.cache_clear()
    t = time.perf_counter()
    found = detect(facts)
    cold = time.perf_counter() - t
    t = time.perf_counter()
    detect(facts)
    warm = time.perf_counter() - t
    print(
        f"[detect] {n:,} columns by name/type: {cold:.2f} s cold, {warm:.2f} s warm, {len(found):,} suggestions"
        f" (target ≤ 2 s)"
    )


# --- 2 and 3. warehouse: precision/recall and sampling ------------------------------------


def harvest_warehouse(dbname: str, name: str):
    from apps.core.testing import SYSTEM
    from apps.harvest import actions as harvest_actions
    from tests.privacy import warehouse

    dsn = warehouse.reader_dsn(dbname)
    source = harvest_actions.create_source(
        SYSTEM,
        name=name,
        kind="postgres",
        config={"dsn": dsn.replace(warehouse.names()[1], "postgres"), "reader_dsn": dsn},
        secrets={"reader_password": warehouse.READER_PASSWORD},
    )
    run = harvest_actions.trigger_harvest(SYSTEM, source, triggered_by="bench", run_async=False)
    assert run.status == "succeeded", run.error
    return source


def bench_precision_recall() -> None:
    from apps.privacy.actions import detect_pii
    from apps.privacy.models import ColumnClassification, State
    from tests.privacy import warehouse

    dbname = warehouse.create()
    try:
        source = harvest_warehouse(dbname, "pr-warehouse")
        t = time.perf_counter()
        run = detect_pii(source=source, sample_values=True, trigger="bench")
        elapsed = time.perf_counter() - t
        predicted = {
            (d.split(".", 1)[1], c, cat)
            for d, c, cat in ColumnClassification.objects.filter(column__dataset__source=source)
            .exclude(state=State.REJECTED)
            .values_list("column__dataset__name", "column__name", "category")
        }
        s = warehouse.score(predicted)
        print(
            f"[precision/recall] {run.columns_checked} columns ({run.columns_sampled} sampled) in {elapsed:.2f} s: "
            f"precision {s['precision']:.3f}, recall {s['recall']:.3f} ({s['true_positives']}/{s['truth']} true, "
            f"{s['predicted']} predicted; target ≥ 0.95 / 0.95)"
        )
        if s["false_positives"] or s["false_negatives"]:
            print(f"    false positives {s['false_positives']}\n    false negatives {s['false_negatives']}")
    finally:
        if not ARGS.keep:
            warehouse.drop()


def bench_sampling(copies: int) -> None:
    import psycopg

    from apps.catalog.models import Dataset
    from apps.harvest.models import Source
    from apps.privacy.detection.gather import gather
    from apps.privacy.detection.sampling import APP_NAME, sample
    from tests.privacy import warehouse

    tables = {
        f"{t.split('.')[0]}{i}.{t.split('.')[1]}": cols for i in range(copies) for t, cols in warehouse.TABLES.items()
    }
    # copies reference crm{i}.customers rather than crm.customers
    tables = {
        t: [
            (
                c,
                ty.replace("references crm.customers", f"references crm{t.split('.')[0][-1]}.customers")
                if "references" in ty
                else ty,
                tr,
                g,
            )
            for c, ty, tr, g in cols
        ]
        for t, cols in tables.items()
    }
    t = time.perf_counter()
    dbname = warehouse.create(tables, rows=2000, suffix="_sampling")
    print(f"[sampling] warehouse of {len(tables)} tables x 2,000 rows built in {time.perf_counter() - t:.1f} s")
    try:
        source = harvest_warehouse(dbname, "sampling-warehouse")
        ids = list(Dataset.objects.filter(source=source).values_list("id", flat=True))
        _, _, to_sample = gather(ids)
        n_columns = sum(len(d.columns) for d in to_sample)
        peak = [0]
        stop = threading.Event()

        def watch():
            with psycopg.connect(f"{ARGS.server}/postgres", autocommit=True) as conn:
                while not stop.is_set():
                    n = conn.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (APP_NAME,)
                    ).fetchone()[0]
                    peak[0] = max(peak[0], n)
                    time.sleep(0.01)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        t = time.perf_counter()
        report = sample(to_sample, {s.pk: s for s in Source.objects.filter(pk=source.pk)}, max_connections=4)
        elapsed = time.perf_counter() - t
        stop.set()
        watcher.join()
        print(
            f"[sampling] {report.columns_sampled:,} of {n_columns:,} columns in {report.datasets_sampled} datasets "
            f"sampled in {elapsed:.2f} s; peak connections {peak[0]} seen in pg_stat_activity "
            f"({report.peak_connections} by the sampler's count); {len(report.warnings)} warnings "
            f"(target ≤ 60 s, ≤ 4 connections)"
        )
    finally:
        if not ARGS.keep:
            warehouse.drop("_sampling")


# --- 4. the finder ---------------------------------------------------------------------


def bench_finder(n_columns: int, n_edges: int) -> None:
    from django.db import connection

    from apps.catalog.models import Column, ColumnLineageEdge, Dataset, DatasetConstraint
    from apps.privacy.finder import find
    from apps.privacy.models import ColumnClassification, State

    rng = random.Random(3)
    per_dataset, layers = 20, 5
    n_datasets = n_columns // per_dataset
    per_layer = n_datasets // layers
    t = time.perf_counter()
    datasets = Dataset.objects.bulk_create(
        [
            Dataset(
                namespace="postgres://bench:5432",
                name=f"wh.layer{i // per_layer}.t{i}",
                short_name=f"t{i}",
                platform="postgres",
            )
            for i in range(n_datasets)
        ],
        batch_size=5000,
    )
    columns = Column.objects.bulk_create(
        [
            Column(dataset=d, name=("customer_id" if k == 0 else f"c{k}"), ordinal=k)
            for d in datasets
            for k in range(per_dataset)
        ],
        batch_size=10000,
    )
    by_dataset = [columns[i * per_dataset : (i + 1) * per_dataset] for i in range(n_datasets)]
    edges, seen = [], set()
    while len(edges) < n_edges:
        i = rng.randrange(0, n_datasets - per_layer)
        j = (i // per_layer + 1) * per_layer + rng.randrange(per_layer)
        k = rng.randrange(per_dataset)
        key = (i, j, k)
        if key in seen:
            continue
        seen.add(key)
        edges.append(
            ColumnLineageEdge(
                upstream=by_dataset[i][k], downstream=by_dataset[j][k], evidence="dbt", transformation="identity"
            )
        )
    ColumnLineageEdge.objects.bulk_create(edges, batch_size=10000)
    # keys: customer_id in 50 first-layer tables; foreign keys from 50 others
    keys = rng.sample(range(per_layer), 100)
    ColumnClassification.objects.bulk_create(
        [
            ColumnClassification(column=by_dataset[i][0], category="customer_id", state=State.CONFIRMED)
            for i in keys[:50]
        ]
    )
    DatasetConstraint.objects.bulk_create(
        [
            DatasetConstraint(
                dataset=datasets[i],
                name=f"fk{i}",
                kind="foreign_key",
                columns=["customer_id"],
                referenced_dataset=datasets[keys[n % 50]],
                referenced_columns=["customer_id"],
            )
            for n, i in enumerate(keys[50:])
        ]
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(
        f"[finder] generated {Column.objects.count():,} columns, {ColumnLineageEdge.objects.count():,} column "
        f"lineage edges in {time.perf_counter() - t:.1f} s"
    )
    if os.environ.get("PRIVACY_BENCH_PROFILE"):
        import cProfile
        import pstats

        cProfile.runctx("find('customer_id')", globals(), {"find": find}, "/tmp/finder.prof")
        pstats.Stats("/tmp/finder.prof").sort_stats("cumtime").print_stats(15)
    times = []
    for _ in range(7):
        t = time.perf_counter()
        result = find("customer_id", value="42")
        times.append(time.perf_counter() - t)
    print(
        f"[finder] {result['count']:,} datasets / {result['columns']:,} columns hold customer_id: "
        f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over 7 runs "
        f"(target ≤ 500 ms)"
    )


def main():
    if ARGS.only in (None, "detect"):
        bench_detection(ARGS.columns)
    if ARGS.only == "detect":
        return
    recreate(ARGS.catalog_db)
    try:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0, stdout=io.StringIO())
        if ARGS.only in (None, "precision"):
            bench_precision_recall()
        if ARGS.only in (None, "sampling"):
            bench_sampling(ARGS.sample_copies)
        if ARGS.only in (None, "finder"):
            bench_finder(ARGS.finder_columns, ARGS.finder_edges)
    finally:
        from django.db import connections

        connections.close_all()
        if not ARGS.keep:
            recreate(ARGS.catalog_db, create=False)


if __name__ == "__main__":
    main()
