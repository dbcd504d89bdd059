"""Benchmark: harvesting a large MySQL/MariaDB server into a PostgreSQL catalog.

Builds fresh source databases on the MySQL server (default 5 databases × 1,000 tables × 20
columns + 250 views), a fresh catalog database (migrated) on PostgreSQL, then times, end to
end through ``apps.harvest.actions.trigger_harvest`` (read + reconcile + commit with its
search hooks, in-process):

  1. the first harvest,
  2. an unchanged re-harvest,
  3. a re-harvest after 1% of the tables changed (a column added or dropped).

Prints wall time, phase timings, max RSS and the number of statements sent to the source
(the same whatever the table count). Everything is dropped at the end unless --keep.

    .venv/bin/python bench/harvest_mysql.py [--mysql mysql://root@127.0.0.1:3306] [--catalog-server postgresql://postgres@127.0.0.1:5432] [--schemas 5 --tables 1000 --columns 20 --views 250]
"""

import argparse
import os
import resource
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pymysql
from pymysql.constants import CLIENT

ROOT = Path(__file__).resolve().parent.parent
TYPES = [
    "varchar(100)",
    "int",
    "bigint",
    "decimal(12,2)",
    "datetime",
    "tinyint(1)",
    "date",
    "text",
    "json",
    "double",
]


def generate_source_sql(prefix: str, schemas: int, tables: int, columns: int, views: int) -> list[str]:
    """Batches of DDL: tables with a primary key, a foreign key every 10th table, comments on
    every 5th, an enum column on every 3rd; views joining two tables of one database."""
    out = []
    for s in range(schemas):
        db = f"{prefix}_s{s}"
        batch = [f"create database `{db}`"]
        for t in range(tables):
            cols = ["id bigint not null primary key"] + [
                f"c{c} {TYPES[(c + t) % len(TYPES)]}{' not null' if c % 4 == 0 else ''}" for c in range(1, columns)
            ]
            if t % 3 == 0:
                cols[-1] = f"c{columns - 1} enum('a','b','c') not null default 'a'"
            fk = f", parent_id bigint, foreign key (parent_id) references `{db}`.t{t - 1} (id)" if t % 10 == 9 else ""
            comment = f" comment='Table {t} of database {s}'" if t % 5 == 0 else ""
            batch.append(f"create table `{db}`.t{t} ({', '.join(cols)}{fk}) engine=InnoDB{comment}")
            if len(batch) >= 200:
                out.append(";".join(batch))
                batch = []
        if batch:
            out.append(";".join(batch))
    per_schema = max(1, views // max(schemas, 1))
    batch = []
    for s in range(schemas):
        db = f"{prefix}_s{s}"
        for v in range(min(per_schema, views - s * per_schema)):
            a, b = (2 * v) % tables, (2 * v + 1) % tables
            batch.append(
                f"create view `{db}`.v{v} as select a.id, a.c1, a.c2, b.c3, b.c4 as b_c4 from `{db}`.t{a} a join `{db}`.t{b} b on b.id = a.id"
            )
    if batch:
        out.append(";".join(batch))
    return out


def change_sql(prefix: str, schemas: int, tables: int, share: float = 0.01) -> str:
    n = max(1, int(schemas * tables * share))
    tag = secrets.token_hex(2)
    out = []
    for i in range(n):
        s, t = i % schemas, (i * 7 + 3) % tables
        out.append(
            f"alter table `{prefix}_s{s}`.t{t} add column added_{tag}_{i} text"
            if i % 2 == 0
            else f"alter table `{prefix}_s{s}`.t{t} drop column c{5 + i % 3}"
        )
    return ";".join(out)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def mysql_admin(url: str):
    parts = urlsplit(url)
    return pymysql.connect(
        host=parts.hostname,
        port=parts.port or 3306,
        user=parts.username or "root",
        password=parts.password or "",
        autocommit=True,
        client_flag=CLIENT.MULTI_STATEMENTS,
    )


def run_all(conn, sql: str) -> None:
    with conn.cursor() as cur:
        cur.execute(sql)
        while cur.nextset():
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mysql", default=os.environ.get("MESH_BENCH_MYSQL", "mysql://root@127.0.0.1:3306"))
    parser.add_argument(
        "--catalog-server", default=os.environ.get("MESH_BENCH_SERVER", "postgresql://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--schemas", type=int, default=5)
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--views", type=int, default=250)
    parser.add_argument("--keep", action="store_true", help="Keep the source and catalog databases afterwards.")
    args = parser.parse_args()

    suffix = secrets.token_hex(3)
    prefix, catalog_db = f"mesh_bench_{suffix}", f"mesh_bench_catalog_{suffix}"
    with psycopg.connect(f"{args.catalog_server}/postgres", autocommit=True) as admin:
        admin.execute(f'create database "{catalog_db}"')
    source = mysql_admin(args.mysql)
    try:
        t0 = time.perf_counter()
        for batch in generate_source_sql(prefix, args.schemas, args.tables, args.columns, args.views):
            run_all(source, batch)
        print(
            f"source: {args.schemas} databases × {args.tables} tables × {args.columns} columns + {args.views} views built in {time.perf_counter() - t0:.1f} s"
        )

        os.environ["DATABASE_URL"] = f"{args.catalog_server}/{catalog_db}"
        os.environ.pop("REDIS_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesh_catalog.settings")
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"catalog: migrated in {time.perf_counter() - t0:.1f} s")

        from apps.core.actors import SystemActor
        from apps.harvest.actions import create_source, trigger_harvest

        actor = SystemActor("bench")
        parts = urlsplit(args.mysql)
        harvest_source = create_source(
            actor,
            name="bench-mysql",
            kind="mysql",
            config={
                "dsn": f"mysql://{parts.username or 'root'}@{parts.hostname}:{parts.port or 3306}",
                "include_schemas": [f"{prefix}_*"],
            },
            secrets={"password": parts.password} if parts.password else None,
            max_removal_share=1.0,
        )

        def timed(label: str):
            start = time.perf_counter()
            run = trigger_harvest(actor, harvest_source, triggered_by="bench", run_async=False)
            wall = time.perf_counter() - start
            c = run.counts
            phases = "  ".join(f"{k}={v:.2f}" for k, v in sorted(run.timings.items()))
            print(
                f"\n{label}: {run.status} in {wall:.2f} s wall; max RSS {rss_mb():.0f} MB; source statements {c.get('source_queries')}"
            )
            print(f"  phases (s): {phases}")
            print(
                f"  datasets +{c.get('datasets_added', 0)} ~{c.get('datasets_changed', 0)} -{c.get('datasets_removed', 0)} ={c.get('datasets_unchanged', 0)}; "
                f"columns +{c.get('columns_added', 0)} ~{c.get('columns_changed', 0)} -{c.get('columns_removed', 0)}; "
                f"lineage edges {c.get('lineage_edges', 0)} (column {c.get('column_lineage_edges', 0)}); schema changes {c.get('schema_changes', 0)}"
            )
            if run.errors:
                print(f"  errors: {run.errors}")
            return run, wall

        results = [timed("first harvest")]
        results.append(timed("unchanged re-harvest"))
        run_all(source, change_sql(prefix, args.schemas, args.tables))
        results.append(timed("re-harvest after 1% of tables changed"))
        targets = (10.0, 3.0, 4.0)
        print(
            "\nsummary (target): "
            + "; ".join(f"{w:.2f} s ({t:.0f} s)" for (_, w), t in zip(results, targets, strict=True))
        )
    finally:
        if not args.keep:
            for s in range(args.schemas):
                run_all(source, f"drop database if exists `{prefix}_s{s}`")
            if "django" in sys.modules:
                from django.db import connections

                connections.close_all()
            with psycopg.connect(f"{args.catalog_server}/postgres", autocommit=True) as admin:
                admin.execute(f'drop database if exists "{catalog_db}" with (force)')
        source.close()


if __name__ == "__main__":
    main()
