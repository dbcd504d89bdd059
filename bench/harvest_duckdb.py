"""Harvesting a generated 5,000-table DuckDB file through the real pipeline.

    .venv/bin/python bench/harvest_duckdb.py [--schemas 10] [--tables 500] [--columns 20] [--views 250]
                                             [--database-url URL] [--keep]

Generates a DuckDB file (every table with a primary key and comments, a foreign key on every
10th, join views over pairs of tables) in a temporary directory, then a fresh catalog
(SQLite in the same temporary ``MESH_DATA_DIR`` by default; ``--database-url`` names another,
e.g. ``postgresql://postgres@127.0.0.1:5432/mesh_duck_harvest_bench``, used as given and
migrated), and times ``apps.harvest.actions.trigger_harvest`` in-process: the first
harvest, an unchanged re-harvest, and the extract step alone. Target: first harvest of
5,000 tables ≤ 5 s (extract alone well under 1 s).
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def generate(path: Path, schemas: int, tables: int, columns: int, views: int) -> float:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(str(path))
    for s in range(schemas):
        con.execute(f"CREATE SCHEMA s{s}")
        for t in range(tables):
            cols = ["id INTEGER PRIMARY KEY"]
            if t % 10 == 9:
                cols.append(f"parent_id INTEGER REFERENCES s{s}.t{t - 1} (id)")
            cols += [f"c{c} {'VARCHAR' if c % 3 else 'DECIMAL(12,2)'}" for c in range(columns - len(cols))]
            con.execute(f"CREATE TABLE s{s}.t{t} ({', '.join(cols)})")
            con.execute(f"COMMENT ON TABLE s{s}.t{t} IS 'Generated table {t} of schema {s}.'")
            con.execute(f"COMMENT ON COLUMN s{s}.t{t}.id IS 'Primary key.'")
    for v in range(views):
        s, t = v % schemas, (v * 2) % (tables - 1)
        con.execute(
            f"CREATE VIEW s{s}.v{v} AS SELECT a.id, a.c1, b.c2 AS other FROM s{s}.t{t} AS a JOIN s{s}.t{t + 1} AS b ON b.id = a.id"
        )
    con.close()
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemas", type=int, default=10)
    parser.add_argument("--tables", type=int, default=500, help="tables per schema")
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--views", type=int, default=250)
    parser.add_argument("--database-url", default="", help="Catalog database (default: SQLite in a temp dir).")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="mesh-duck-harvest-"))
    os.environ["MESH_DATA_DIR"] = str(data_dir)
    os.environ.pop("REDIS_URL", None)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "mesh_catalog.settings"
    path = data_dir / "bench.duckdb"
    took = generate(path, args.schemas, args.tables, args.columns, args.views)
    n_tables = args.schemas * args.tables
    print(f"generated {n_tables} tables × {args.columns} columns + {args.views} views in {took:.1f} s ({path})")

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    from apps.core.testing import SYSTEM
    from apps.harvest import actions
    from apps.harvest.harvesters.duckdb import DuckDBHarvester

    harvester = DuckDBHarvester("bench", DuckDBHarvester.validate_config({"path": str(path)}), {})
    started = time.perf_counter()
    records = list(harvester.extract())
    extract = time.perf_counter() - started
    print(f"extract alone: {extract:.2f} s, {len(records)} records, {harvester.queries_sent} catalog queries")

    source = actions.create_source(SYSTEM, name="bench-duckdb", kind="duckdb", config={"path": str(path)})
    for label in ("first harvest", "unchanged re-harvest"):
        started = time.perf_counter()
        run = actions.trigger_harvest(SYSTEM, source, run_async=False)
        wall = time.perf_counter() - started
        counts = run.counts
        print(
            f"{label:<22} {wall:6.2f} s  status {run.status}  datasets {counts.get('records_datasets')}"
            f" (added {counts.get('datasets_added', 0)}, unchanged {counts.get('datasets_unchanged', 0)})"
            f"  lineage {counts.get('lineage_edges', 0)}  column edges {counts.get('column_lineage_edges', 0)}"
        )
        print(
            "    phases (s): "
            + ", ".join(f"{k} {v:.2f}" for k, v in (run.timings or {}).items() if isinstance(v, float))
        )
        if label == "first harvest":
            first = wall
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"catalog: {connection.vendor}; max RSS {rss:.0f} MB")
    print(f"target first harvest of {n_tables} tables <= 5 s: {'MET' if first <= 5 else 'MISSED'}")


if __name__ == "__main__":
    main()
