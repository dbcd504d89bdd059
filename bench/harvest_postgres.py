"""Benchmark: harvesting a large PostgreSQL database into a PostgreSQL catalog.

Builds a fresh source database (default 10 schemas × 500 tables × 20 columns + 250 views),
a fresh catalog database (migrated), then times, end to end through
``apps.harvest.actions.trigger_harvest`` (read + reconcile + commit with its search hooks):

  1. the first harvest,
  2. an unchanged re-harvest,
  3. a re-harvest after 1% of the tables changed (a column added or dropped).

Prints wall time, phase timings, peak memory (process max RSS, and with --tracemalloc the
Python allocation peak of each run) and the number of statements sent to the source.
Both databases are dropped at the end unless --keep.

    .venv/bin/python bench/harvest_postgres.py [--server postgresql://postgres@127.0.0.1:5432] [--schemas 10 --tables 500 --columns 20 --views 250]
"""

import argparse
import gc
import os
import resource
import secrets
import sys
import time
import tracemalloc
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pg_source_sql import change_sql, generate_source_sql
from pgcount import StatementCounter, StatementTimer, add_database_flags

ROOT = Path(__file__).resolve().parent.parent


def run_datahub(cli: str, server: str, dbname: str, counter=None) -> tuple[float, float]:
    """Run DataHub's PostgreSQL source on the same database into a file; (wall seconds, max RSS MB)."""
    import subprocess
    import tempfile
    from urllib.parse import urlsplit

    url = urlsplit(server)
    host_port = f"{counter.host}:{counter.port}" if counter else f"{url.hostname}:{url.port or 5432}"
    if counter:
        counter.reset()
    with tempfile.TemporaryDirectory(prefix="mesh-bench-datahub-") as tmp:
        recipe = Path(tmp) / "recipe.yml"
        recipe.write_text(
            "source:\n  type: postgres\n  config:\n"
            f"    host_port: '{host_port}'\n    database: '{dbname}'\n    username: '{url.username or 'postgres'}'\n"
            "    include_views: true\n    include_tables: true\n    profiling:\n      enabled: false\n"
            f"sink:\n  type: file\n  config:\n    filename: '{tmp}/out.json'\n"
        )
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        done = subprocess.run([cli, "ingest", "-c", str(recipe)], capture_output=True, text=True)
        wall = time.perf_counter() - start
        rss = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
        if done.returncode != 0:
            print(f"DataHub failed ({done.returncode}): {done.stdout[-1500:]}{done.stderr[-1500:]}")
        print(
            f"DataHub postgres source: {wall:.1f} s wall, {counter.statements if counter else '?'} statements on the wire, max RSS {rss:.0f} MB, output {(Path(tmp) / 'out.json').stat().st_size / 2**20 if (Path(tmp) / 'out.json').exists() else 0:.0f} MB"
        )
    return wall, rss


def compare_digest_paths(timed, rounds: int) -> None:
    """Unchanged re-harvests, alternating the server-side digest path with a full read (the
    harvester given no known digests: every relation, column and constraint read and compared
    by record digest, as before digests existed). Prints the median of each and their ratio."""
    import statistics
    from unittest import mock

    walls: dict[str, list[float]] = {"digest": [], "full read": []}
    for i in range(rounds):
        for label in ("digest", "full read") if i % 2 == 0 else ("full read", "digest"):
            if label == "digest":
                walls[label].append(timed(f"unchanged re-harvest ({label})")[1])
            else:
                with mock.patch("apps.harvest.runner.known_source_digests", return_value={}):
                    walls[label].append(timed(f"unchanged re-harvest ({label})")[1])
    digest, full = statistics.median(walls["digest"]), statistics.median(walls["full read"])
    print(
        f"\nunchanged re-harvest, {rounds} alternating rounds: digest path median {digest:.2f} s, "
        f"full read median {full:.2f} s; full / digest = {full / digest:.1f}×"
    )


def compare_index_paths(rounds: int) -> None:
    """Reindex every dataset's search entries (and its column names) N times; prints the median.

    (It alternated COPY with INSERT … SELECT until columns stopped having entries of their
    own; bench/search_bench.py --compare-base times the reindex against another checkout.)"""
    import statistics

    from django.db import transaction

    from apps.catalog.models import Dataset
    from apps.search import indexer

    ids = list(Dataset.objects.values_list("pk", flat=True))
    walls: list[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        with transaction.atomic():
            written = indexer.reindex("column", parent_ids=ids) + indexer.reindex("dataset", ids=ids)
        walls.append(time.perf_counter() - start)
        print(f"  reindex {len(ids)} datasets ({written} entries): {walls[-1]:.2f} s")
    print(f"reindex, {rounds} rounds: median {statistics.median(walls):.2f} s")


def compare_first_harvests(timed, server: str, catalog_db: str, template_db: str, rounds: int) -> None:
    """First harvests into fresh copies of the migrated catalog (``template_db``), alternating
    the COPY path for new rows with merging every row (``COPY_NEW_ROWS = False``)."""
    import statistics
    from unittest import mock

    from django.db import connections

    from apps.harvest.pipeline import datasets

    walls: dict[str, list[float]] = {"copy": [], "merge": []}
    settings_dict = connections["default"].settings_dict  # each round: a fresh copy, then back
    for i in range(rounds):
        for label in ("copy", "merge") if i % 2 == 0 else ("merge", "copy"):
            fresh, _ = f"{catalog_db}_f", connections.close_all()
            with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                admin.execute(f'drop database if exists "{fresh}"')
                admin.execute(f'create database "{fresh}" template "{template_db}"')
            settings_dict["NAME"] = fresh
            try:
                with mock.patch.object(datasets, "COPY_NEW_ROWS", label == "copy"):
                    walls[label].append(timed(f"first harvest ({label} new rows)", fresh_source=True)[1])
            finally:
                connections.close_all()
                settings_dict["NAME"] = catalog_db
                with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                    admin.execute(f'drop database if exists "{fresh}" with (force)')
    fast, slow = statistics.median(walls["copy"]), statistics.median(walls["merge"])
    print(
        f"\nfirst harvest, {rounds} alternating rounds: COPY of new rows median {fast:.2f} s, merge median {slow:.2f} s; "
        f"ratio {slow / fast:.2f}×"
    )


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_database_flags(parser, "")  # --server, --database (the catalog; default mesh_bench_catalog_<random>)
    parser.add_argument(
        "--source-database",
        default="",
        help="Name of the source database to generate (default mesh_bench_src_<random>; dropped unless --keep).",
    )
    parser.add_argument("--schemas", type=int, default=10)
    parser.add_argument("--tables", type=int, default=500)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--views", type=int, default=250)
    parser.add_argument(
        "--tracemalloc", action="store_true", help="Also measure the Python allocation peak per run (slows it down)."
    )
    parser.add_argument("--keep", action="store_true", help="Keep both databases afterwards.")
    parser.add_argument(
        "--compare-index",
        type=int,
        default=0,
        help="Then time N rounds of reindexing every dataset's search entries.",
    )
    parser.add_argument(
        "--alternate",
        type=int,
        default=0,
        help="Then time N rounds of unchanged re-harvests, alternating the digest path with a full read, and print the ratio.",
    )
    parser.add_argument(
        "--alternate-first",
        type=int,
        default=0,
        help="Then time N rounds of first harvests into fresh catalogs, alternating the COPY path for new rows with the merge.",
    )
    parser.add_argument(
        "--profile", action="store_true", help="Print the top functions (cProfile) of the first harvest."
    )
    parser.add_argument(
        "--slowest",
        type=int,
        default=0,
        help="Print the N slowest catalog statements of each run (client-side wall per statement, COMMIT included).",
    )
    parser.add_argument(
        "--datahub",
        default="",
        help="Path of a `datahub` CLI (acryl-datahub[postgres] in its own virtualenv): also time its PostgreSQL source on the same database (file sink, profiling off).",
    )
    parser.add_argument(
        "--source-db",
        default="",
        help="Harvest this existing database instead of generating one (kept; the 1%% change is applied to it).",
    )
    args = parser.parse_args()

    suffix = secrets.token_hex(3)
    source_db = args.source_db or args.source_database or f"mesh_bench_src_{suffix}"
    catalog_db = args.database or f"mesh_bench_catalog_{suffix}"
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
        if not args.source_db:
            admin.execute(f'create database "{source_db}"')
        admin.execute(f'create database "{catalog_db}"')
    counter = StatementCounter(args.server).__enter__()
    try:
        t0 = time.perf_counter()
        with psycopg.connect(f"{args.server}/{source_db}", autocommit=True) as conn:
            if args.source_db:
                statements = []
            else:
                statements = generate_source_sql(args.schemas, args.tables, args.columns, args.views).split("\n")
            for start in range(0, len(statements), 300):  # small transactions: each DDL holds locks until commit
                conn.execute("begin;\n" + "\n".join(statements[start : start + 300]) + "\ncommit;")
        if not args.source_db:
            print(
                f"source: {args.schemas} schemas × {args.tables} tables × {args.columns} columns + {args.views} views built in {time.perf_counter() - t0:.1f} s"
            )

        datahub = run_datahub(args.datahub, args.server, source_db, counter) if args.datahub else None

        os.environ["DATABASE_URL"] = f"{args.server}/{catalog_db}"
        os.environ.pop("REDIS_URL", None)  # in-process: the search hooks run inside the timing
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesh_catalog.settings")
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"catalog: migrated in {time.perf_counter() - t0:.1f} s")
        # As `manage.py harvest` runs: its start-up heap frozen out of the collector. Without
        # this, the migration's garbage (~60,000 cycles) and the loaded apps were traversed by
        # a full collection inside the timed runs (0.26 s in the first harvest's last step).
        gc.collect()
        gc.freeze()

        from apps.core.actors import SystemActor
        from apps.harvest.actions import create_source, trigger_harvest

        actor = SystemActor("bench")
        source = create_source(
            actor, name="bench", kind="postgres", config={"dsn": counter.url(source_db)}, max_removal_share=1.0
        )

        from apps.harvest.models import Source

        template_db = f"{catalog_db}_t"
        if args.alternate_first:  # a pristine migrated catalog with the source row, to copy per round
            from django.db import connections

            connections.close_all()
            with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
                admin.execute(f'create database "{template_db}" template "{catalog_db}"')

        def timed(label: str, fresh_source: bool = False):
            run_source = Source.objects.get(pk=source.pk) if fresh_source else source
            if args.tracemalloc:
                tracemalloc.start()
            profiler = None
            if args.profile and label == "first harvest":
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            counter.reset()
            timer = StatementTimer()
            start, cpu = time.perf_counter(), time.process_time()
            with timer.watching(args.slowest):
                run = trigger_harvest(actor, run_source, triggered_by="bench", run_async=False)
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            if profiler is not None:
                import pstats

                profiler.disable()
                if os.environ.get("MESH_BENCH_PROFILE_OUT"):  # for pstats / snakeviz
                    profiler.dump_stats(os.environ["MESH_BENCH_PROFILE_OUT"])
                pstats.Stats(profiler).sort_stats(os.environ.get("MESH_BENCH_PROFILE_SORT", "cumulative")).print_stats(
                    30
                )
            peak = f", python peak {tracemalloc.get_traced_memory()[1] / 2**20:.0f} MB" if args.tracemalloc else ""
            if args.tracemalloc:
                tracemalloc.stop()
            c = run.counts
            phases = "  ".join(f"{k}={v:.2f}" for k, v in sorted(run.timings.items()))
            print(
                f"\n{label}: {run.status} in {wall:.2f} s wall ({cpu:.2f} s CPU here, load {os.getloadavg()[0]:.1f}); max RSS {rss_mb():.0f} MB{peak}; source statements {c.get('source_queries')} (counted on the wire: {counter.statements} in {counter.connections} session(s))"
            )
            print(f"  phases (s): {phases}")
            print(
                "  datasets +{added} ~{changed} -{removed} ={unchanged}; columns +{cadded} ~{cchanged} -{cremoved}; lineage edges {edges} (column {cedges}); schema changes {sc}".format(
                    added=c.get("datasets_added", 0),
                    changed=c.get("datasets_changed", 0),
                    removed=c.get("datasets_removed", 0),
                    unchanged=c.get("datasets_unchanged", 0),
                    cadded=c.get("columns_added", 0),
                    cchanged=c.get("columns_changed", 0),
                    cremoved=c.get("columns_removed", 0),
                    edges=c.get("lineage_edges", 0),
                    cedges=c.get("column_lineage_edges", 0),
                    sc=c.get("schema_changes", 0),
                )
            )
            if run.errors:
                print(f"  errors: {run.errors}")
            timer.print_slowest(args.slowest)
            return run, wall

        results = [timed("first harvest")]
        results.append(timed("unchanged re-harvest"))
        with psycopg.connect(f"{args.server}/{source_db}") as conn:
            conn.execute(change_sql(args.schemas, args.tables))
        results.append(timed("re-harvest after 1% of tables changed"))
        targets = (3.0, 0.5, 0.6)  # issue 17
        print(
            "\nsummary (target): "
            + "; ".join(f"{w:.2f} s ({t:g} s)" for (_, w), t in zip(results, targets, strict=True))
        )
        if args.alternate:
            compare_digest_paths(timed, args.alternate)
        if args.compare_index:
            compare_index_paths(args.compare_index)
        if args.alternate_first:
            compare_first_harvests(timed, args.server, catalog_db, template_db, args.alternate_first)
        if datahub:
            wall, rss = datahub
            print(
                f"DataHub postgres source → file: {wall:.1f} s, max RSS {rss:.0f} MB; ratio to our first harvest: {wall / results[0][1]:.1f}×"
            )
    finally:
        counter.__exit__(None, None, None)
        if not args.keep:
            if "django" in sys.modules and os.environ.get("DATABASE_URL", "").endswith(catalog_db):
                from django.db import connections

                connections.close_all()
            with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
                if not args.source_db:
                    admin.execute(f'drop database if exists "{source_db}" with (force)')
                admin.execute(f'drop database if exists "{catalog_db}" with (force)')
                admin.execute(f'drop database if exists "{catalog_db}_t" with (force)')


if __name__ == "__main__":
    main()
