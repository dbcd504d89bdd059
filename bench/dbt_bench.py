"""Benchmark: harvesting a large dbt project's artifacts into a PostgreSQL catalog.

Generates (``dbt_project.py``) a schema-valid manifest (v12) + catalog (v1) of N models × M columns (default
5,000 × 20) over 50 sources, each model reading 1–3 earlier nodes through CTEs, with a
distinct compiled SQL per model (``select *`` from each parent, joins, expressions, casts
and one aggregation in five), then times, end to end through
``apps.harvest.actions.trigger_harvest`` (read + reconcile + commit with its search hooks):

  1. ingest with table-level lineage only (``column_lineage: false``),
  2. ingest with column-level lineage (a second namespace, cold SQL cache, every core),
  3. re-harvest of the unchanged manifest with column lineage (every dataset unchanged by digest),
  4. re-harvest after 1% of the models' compiled SQL was edited (only those are read and parsed).

Prints wall time, phase timings, max RSS of the process and of its pool workers. With
``--validate`` the generated manifest is first checked by dbt's own artifact classes
(``.venv-dbt``). The catalog database is dropped at the end unless ``--keep``.

``--whole-process`` times the same runs as whole processes (``manage.py harvest NAME``:
interpreter and Django start-up, harvest, exit), each round on a fresh copy of the migrated
catalog; ``--baseline TREE`` alternates them with another checkout's code (e.g. a worktree
of ``main``) on identical copies, and ``--datahub PATH`` with DataHub's dbt source
(``datahub ingest``, file sink, with and without column lineage) on the same files, printing
medians and ratios. ``--only table|column`` picks the table-level run or the column-level
pair (first + unchanged).

    .venv/bin/python bench/dbt_bench.py [--models 5000 --columns 20] [--validate] [--server postgresql://postgres@127.0.0.1:5432]
    .venv/bin/python bench/dbt_bench.py --models 2000 --only table --whole-process --rounds 3 --baseline /tmp/base --datahub /tmp/datahub-venv/bin/datahub
"""

import argparse
import gc
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datahub import ProcessRun, run_datahub, timed_process
from dbt_project import SOURCES, change_models, generate, validate_with_dbt

ROOT = Path(__file__).resolve().parent.parent
# --- timing ---------------------------------------------------------------------------------


def rss_mb() -> tuple[float, float]:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, resource.getrusage(
        resource.RUSAGE_CHILDREN
    ).ru_maxrss / 1024


def cpu_s() -> tuple[float, float]:
    """CPU seconds of this process and of its finished pool workers (contention-proof figures)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


SCENARIOS = {"table": [("table", "bench-table")], "column": [("column", "bench-column"), ("unchanged", "bench-column")]}


def whole_process_rounds(args, template_db: str, artifacts: Path, work: Path) -> None:
    """Rounds of ``manage.py harvest`` processes (ours, then ``--baseline``'s) and DataHub's, alternating."""
    trees = {"ours": ROOT} | ({"baseline": Path(args.baseline).resolve()} if args.baseline else {})
    scenarios = [s for key in (["table", "column"] if args.only == "all" else [args.only]) for s in SCENARIOS[key]]
    figures: dict[tuple[str, str], list[tuple[ProcessRun, float]]] = {}
    for tree in trees.values():
        # Byte-code first, as a deployed image has it: with PYTHONDONTWRITEBYTECODE (set here and
        # in the Dockerfile) every process compiled the project's ~250 modules again (0.3 s CPU).
        subprocess.run([sys.executable, "-m", "compileall", "-q", "apps", "mesh_catalog"], cwd=tree, check=True)
    for round_ in range(args.rounds):
        for tool, tree in trees.items():
            db = f"{template_db}_{tool}{round_}"
            with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
                admin.execute(f'create database "{db}" template "{template_db}"')
            env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | {
                "DATABASE_URL": f"{args.server}/{db}",
                "MESH_DATA_DIR": str(work / f"data-{tool}-{round_}"),  # a cold SQL cache per round
                "PYTHONPATH": str(tree),
                "DJANGO_SETTINGS_MODULE": "mesh_catalog.settings",
                "LOG_LEVEL": "WARNING",
            }
            try:
                for scenario, source in scenarios:
                    run, done = timed_process([sys.executable, "manage.py", "harvest", source], cwd=tree, env=env)
                    if not run.ok:
                        print(f"{tool} {scenario} failed: {done.stdout[-800:]}{done.stderr[-800:]}")
                    with psycopg.connect(f"{args.server}/{db}") as conn:
                        timings = conn.execute(
                            "select r.timings from harvest_harvestrun r join harvest_source s on s.id = r.source_id"
                            " where s.name = %s order by r.id desc limit 1",
                            (source,),
                        ).fetchone()[0]
                    harvest = timings.get("extract", 0) + timings.get("reconcile", 0)
                    figures.setdefault((scenario, tool), []).append((run, harvest))
                    print(
                        f"  round {round_ + 1} {tool:8} {scenario:9} {run.wall:6.2f} s wall, CPU {run.cpu:5.2f} s; harvest {harvest:5.2f} s"
                        f" (extract {timings.get('extract', 0):.2f}, lineage {timings.get('reconcile.lineage', 0):.2f},"
                        f" commit {timings.get('commit', 0):.2f}, commit+index {timings.get('commit_and_index', 0):.2f}); load {os.getloadavg()[0]:.1f}"
                    )
            finally:
                with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
                    admin.execute(f'drop database if exists "{db}" with (force)')
        if args.datahub:
            for scenario, _ in scenarios:
                if scenario == "unchanged":
                    continue  # DataHub's dbt source keeps no state between runs: every run is a first one
                config = {
                    "manifest_path": str(artifacts / "manifest.json"),
                    "catalog_path": str(artifacts / "catalog.json"),
                    "target_platform": "postgres",
                    "include_column_lineage": scenario == "column",
                    "write_semantics": "OVERRIDE",  # PATCH needs a DataHub server to read from
                }
                run = run_datahub(args.datahub, {"type": "dbt", "config": config})
                figures.setdefault((scenario, "datahub"), []).append((run, run.wall))
                print(
                    f"  round {round_ + 1} datahub  {scenario:9} {run.wall:6.2f} s wall, CPU {run.cpu:5.2f} s; output {run.output_mb:.0f} MB; load {os.getloadavg()[0]:.1f}"
                )
    print(f"\nwhole process, median of {args.rounds} round(s) (harvest = extract + reconcile incl. commit and search):")
    for scenario, _ in scenarios:
        ours = figures.get((scenario, "ours"), [])
        if not ours:
            continue
        wall = statistics.median(r.wall for r, _ in ours)
        line = f"  {scenario:9} ours {wall:6.2f} s (harvest {statistics.median(h for _, h in ours):.2f} s, CPU {statistics.median(r.cpu for r, _ in ours):.2f} s)"
        for other in ("baseline", "datahub"):
            theirs = figures.get((scenario, other))
            if theirs:
                their_wall = statistics.median(r.wall for r, _ in theirs)
                line += f"; {other} {their_wall:.2f} s → {their_wall / wall:.2f}×"
        print(line)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default=os.environ.get("MESH_BENCH_SERVER", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument(
        "--database",
        default="",
        help="Name of the catalog database to create (default mesh_bench_dbt_<random>; dropped unless --keep).",
    )
    parser.add_argument("--models", type=int, default=5000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument(
        "--validate", action="store_true", help="Check the generated manifest with dbt (needs .venv-dbt)."
    )
    parser.add_argument("--keep", action="store_true", help="Keep the catalog database and the generated artifacts.")
    parser.add_argument("--only", choices=["all", "table", "column"], default="all")
    parser.add_argument("--whole-process", action="store_true", help="Also time `manage.py harvest` processes.")
    parser.add_argument("--rounds", type=int, default=1, help="Rounds of whole-process runs (alternating).")
    parser.add_argument("--baseline", default="", help="Another checkout (e.g. a worktree of main) to alternate with.")
    parser.add_argument("--datahub", default="", help="A `datahub` CLI (acryl-datahub[dbt]) to alternate with.")
    parser.add_argument("--skip-in-process", action="store_true", help="Only the whole-process rounds.")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="dbt_bench_"))
    t0 = time.perf_counter()
    generate(args.models, args.columns, work / "artifacts")
    size = (work / "artifacts" / "manifest.json").stat().st_size / 2**20
    print(
        f"artifacts: {args.models} models × {args.columns} columns + {SOURCES} sources; manifest {size:.0f} MB; generated in {time.perf_counter() - t0:.1f} s"
    )
    if args.validate:
        validate_with_dbt(work / "artifacts")

    catalog_db = args.database or f"mesh_bench_dbt_{secrets.token_hex(3)}"
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
        admin.execute(f'create database "{catalog_db}"')
    try:
        os.environ["DATABASE_URL"] = f"{args.server}/{catalog_db}"
        os.environ["MESH_DATA_DIR"] = str(work / "data")  # a cold SQL lineage cache
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
        # As `manage.py harvest` runs: the start-up heap (and the migration's garbage, collected
        # first) kept out of the collector's full passes inside the timed runs.
        gc.collect()
        gc.freeze()

        from apps.core.actors import SystemActor
        from apps.harvest.actions import create_source, trigger_harvest

        actor = SystemActor("bench")
        path = str(work / "artifacts")
        if args.datahub or args.baseline:
            args.whole_process = True
        table_level = create_source(
            actor,
            name="bench-table",
            kind="dbt",
            config={"path": path, "warehouse_namespace": "postgres://bench-a:5432", "column_lineage": False},
        )
        column_level = create_source(
            actor,
            name="bench-column",
            kind="dbt",
            config={"path": path, "warehouse_namespace": "postgres://bench-b:5432"},
        )

        if args.whole_process:
            from django.db import connections

            connections.close_all()  # a template database must have no other session
            template = f"{catalog_db}_tpl"
            with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
                admin.execute(f'create database "{template}" template "{catalog_db}"')
            try:
                whole_process_rounds(args, template, work / "artifacts", work)
            finally:
                with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
                    admin.execute(f'drop database if exists "{template}" with (force)')
            if args.skip_in_process:
                return

        def timed(label: str, source):
            cpu_before = cpu_s()
            start = time.perf_counter()
            run = trigger_harvest(actor, source, triggered_by="bench", run_async=False)
            wall = time.perf_counter() - start
            cpu_after = cpu_s()
            c = run.counts
            own, children = rss_mb()
            cpu = (
                f"CPU {cpu_after[0] - cpu_before[0]:.1f} s here + {cpu_after[1] - cpu_before[1]:.1f} s in pool workers"
            )
            print(
                f"\n{label}: {run.status} in {wall:.2f} s wall ({cpu}, load {os.getloadavg()[0]:.1f}); max RSS {own:.0f} MB (pool workers {children:.0f} MB)"
            )
            print("  phases (s): " + "  ".join(f"{k}={v:.2f}" for k, v in sorted(run.timings.items())))
            print(
                f"  datasets +{c.get('datasets_added', 0)} ~{c.get('datasets_changed', 0)} ={c.get('datasets_unchanged', 0)}; columns +{c.get('columns_added', 0)}; lineage edges {c.get('lineage_edges', 0)}; column edges {c.get('column_lineage_edges', 0)} (+{c.get('column_lineage_edges_added', 0)})"
            )
            if run.errors or run.status != "succeeded":
                print(f"  errors: {run.errors} warnings: {run.warnings[:3]}")
            return wall

        results = []
        if args.only in ("all", "table"):
            results.append((timed("ingest, table-level lineage", table_level), 3.0))
        if args.only in ("all", "column"):
            results.append((timed("ingest, column-level lineage (cold cache, all cores)", column_level), 12.0))
            results.append((timed("unchanged re-harvest, column-level lineage", column_level), 1.0))
            edited = change_models(work / "artifacts")
            results.append((timed(f"{edited} models' SQL edited (1%), column-level lineage", column_level), 1.0))
        print("\nsummary (target): " + "; ".join(f"{w:.2f} s ({t:.0f} s)" for w, t in results))
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
                admin.execute(f'drop database if exists "{catalog_db}" with (force)')
            import shutil

            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept: database {catalog_db}, artifacts {work}")


if __name__ == "__main__":
    main()
