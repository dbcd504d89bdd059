"""Benchmark: the after-commit listeners of a first PostgreSQL harvest, alone and per listener.

Harvests an existing source database (``--source-db``, e.g. one kept by
``harvest_postgres.py --keep``) once into a migrated catalog with every change and event
listener switched off, and keeps that catalog as a template. Each round then copies the
template (``CREATE DATABASE … TEMPLATE``) and replays what the harvest's COMMIT would have
told the listeners — every dataset changed, the run finished, the unrouted events — inside
one transaction, timing each listener after the COMMIT (wall and this process's CPU).
``--profile`` prints a cProfile of the last round; ``--changed`` then times the listeners of an
unchanged re-harvest and of one after 1 % of the source's tables changed (it alters the source). Everything is dropped at the end unless --keep.

    .venv/bin/python bench/listeners_bench.py --source-db mesh_bench_src_x --rounds 3 [--profile]
"""

import argparse
import os
import secrets
import sys
import time
from collections import defaultdict
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pgcount import add_database_flags

ROOT = Path(__file__).resolve().parent.parent


def changed_reharvests(args, change, event, report, slowest) -> None:
    """In the last round's catalog: re-harvest (to catch up with the source), change 1 % of
    the source's tables (``harvest_postgres.change_sql``) and time the re-harvest's listeners."""
    from unittest import mock

    from pg_source_sql import change_sql

    from apps.core import events, hooks
    from apps.core.actors import SystemActor
    from apps.harvest.actions import trigger_harvest
    from apps.harvest.models import Source

    actor, source = SystemActor("bench"), Source.objects.get(name="bench")
    with mock.patch.object(hooks, "_listeners", change), mock.patch.object(events, "_listeners", event):
        trigger_harvest(actor, source, triggered_by="bench", run_async=False)
        report("catch-up re-harvest")
        slowest(0)
        for label in ("unchanged re-harvest", "1 % changed re-harvest"):
            if label.startswith("1 %"):
                schemas = psycopg.connect(f"{args.server}/{args.source_db}", autocommit=True)
                with schemas:
                    n = schemas.execute("select count(*) from pg_namespace where nspname ~ '^s[0-9]+$'").fetchone()[0]
                    schemas.execute(change_sql(n, 500))
            start, cpu = time.perf_counter(), time.process_time()
            run = trigger_harvest(actor, source, triggered_by="bench", run_async=False)
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            index = run.timings.get("index", 0)
            report(f"{label}: {run.status} in {wall:.2f} s wall, {cpu:.2f} s CPU, index phase {index:.2f} s")
            slowest(args.queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_database_flags(parser, "")
    parser.add_argument("--source-db", required=True, help="The existing source database to harvest (read only).")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile the last round.")
    parser.add_argument("--queries", type=int, default=0, help="Print the N slowest statements of the last round.")
    parser.add_argument(
        "--changed",
        action="store_true",
        help="Then time the listeners of an unchanged and a 1%% changed re-harvest (changes --source-db).",
    )
    parser.add_argument("--keep", action="store_true", help="Keep the template catalog (reused when it exists).")
    args = parser.parse_args()

    catalog_db = args.database or f"mesh_bench_listeners_{secrets.token_hex(3)}"
    template_db, round_db = f"{catalog_db}_t", f"{catalog_db}_r"
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
        exists = admin.execute("select 1 from pg_database where datname = %s", [template_db]).fetchone()
        if not exists:
            admin.execute(f'drop database if exists "{catalog_db}" with (force)')
            admin.execute(f'create database "{catalog_db}"')
    os.environ["DATABASE_URL"] = f"{args.server}/{catalog_db}"
    os.environ.pop("REDIS_URL", None)  # in-process: the listeners run inside the timing
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesh_catalog.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from unittest import mock

    from django.core.management import call_command
    from django.db import connections, transaction

    from apps.catalog.models import Dataset
    from apps.core import events, hooks
    from apps.core.models import Event
    from apps.harvest.models import HarvestRun

    settings_dict = connections["default"].settings_dict
    try:
        if not exists:
            call_command("migrate", verbosity=0)
            from apps.core.actors import SystemActor
            from apps.harvest.actions import create_source, trigger_harvest

            actor = SystemActor("bench")
            source = create_source(
                actor,
                name="bench",
                kind="postgres",
                config={"dsn": f"{args.server}/{args.source_db}"},
                max_removal_share=1.0,
            )
            t0 = time.perf_counter()
            with mock.patch.object(hooks, "_listeners", []), mock.patch.object(events, "_listeners", []):
                run = trigger_harvest(actor, source, triggered_by="bench", run_async=False)
            print(f"harvest without listeners: {run.status} in {time.perf_counter() - t0:.2f} s, {run.counts}")
            connections.close_all()
            with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
                admin.execute(f'create database "{template_db}" template "{catalog_db}"')

        timings: dict[str, list[tuple[float, float]]] = defaultdict(list)
        statements: list[tuple[float, str, int]] = []

        def log_statement(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                size = sum(len(p) if isinstance(p, list | tuple) else 1 for p in params or ())
                statements.append((time.perf_counter() - started, sql, size))

        def slowest(n: int) -> None:
            total = sum(d for d, _, _ in statements)
            print(f"{len(statements)} statements, {total:.2f} s; the slowest:")
            for d, sql, size in sorted(statements, key=lambda s: -s[0])[:n]:
                print(f"  {d:.3f} s  ({size} values)  {' '.join(sql.split())[:220]}")
            statements.clear()

        def timed(name, listener):
            def run(*a):
                start, cpu = time.perf_counter(), time.process_time()
                try:
                    return listener(*a)
                finally:
                    timings[name].append((time.perf_counter() - start, time.process_time() - cpu))

            return run

        def report(label: str) -> None:
            from apps.privacy.models import DetectionRun

            per = "  ".join(
                f"{name.rsplit('.', 2)[-2]}.{name.rsplit('.', 1)[-1]}={sum(w for w, _ in v):.2f}/{sum(c for _, c in v):.2f}"
                for name, v in timings.items()
            )
            detection = DetectionRun.objects.order_by("-pk").values_list("timings", flat=True).first()
            print(f"{label} (load {os.getloadavg()[0]:.1f}); wall/CPU per listener: {per}; PII detection {detection}")
            timings.clear()

        change = [timed(f"{fn.__module__}", fn) for fn in hooks._listeners]
        event = [timed(f"{fn.__module__}", fn) for fn in events._listeners]
        for r in range(args.rounds):
            connections.close_all()
            with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
                admin.execute(f'drop database if exists "{round_db}" with (force)')
                admin.execute(f'create database "{round_db}" template "{template_db}"')
            settings_dict["NAME"] = round_db
            timings.clear()
            profiler = None
            if args.profile and r == args.rounds - 1:
                import cProfile

                profiler = cProfile.Profile()
            statements.clear()

            with (
                mock.patch.object(hooks, "_listeners", change),
                mock.patch.object(events, "_listeners", event),
                connections["default"].execute_wrapper(log_statement),
            ):
                ids = list(Dataset.objects.filter(removed_at__isnull=True).values_list("pk", flat=True))
                runs = list(HarvestRun.objects.values_list("pk", flat=True))
                unrouted = list(Event.objects.filter(route__isnull=True).values_list("pk", flat=True))
                if profiler:
                    profiler.enable()
                start, cpu = time.perf_counter(), time.process_time()
                with transaction.atomic():
                    hooks.objects_changed(Dataset, ids)
                    hooks.objects_changed(HarvestRun, runs)
                    if unrouted:
                        events._notify_after_commit(unrouted)
                wall, cpu = time.perf_counter() - start, time.process_time() - cpu
                if profiler:
                    import pstats

                    profiler.disable()
                    pstats.Stats(profiler).sort_stats(
                        os.environ.get("MESH_BENCH_PROFILE_SORT", "cumulative")
                    ).print_stats(45)
            if args.queries and r == args.rounds - 1:
                slowest(args.queries)
            report(
                f"round {r + 1}: {len(ids)} datasets, {len(unrouted)} events: listeners {wall:.2f} s wall, {cpu:.2f} s CPU"
            )
        if args.changed:
            with connections["default"].execute_wrapper(log_statement):
                changed_reharvests(args, change, event, report, slowest)
    finally:
        connections.close_all()
        settings_dict["NAME"] = catalog_db
        with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
            admin.execute(f'drop database if exists "{round_db}" with (force)')
            admin.execute(f'drop database if exists "{catalog_db}" with (force)')
            if not args.keep:
                admin.execute(f'drop database if exists "{template_db}" with (force)')


if __name__ == "__main__":
    main()
