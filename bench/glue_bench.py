"""Benchmark: harvesting a Glue Data Catalog of 2,000 tables served by moto's HTTP server.

Starts moto's ``ThreadedMotoServer`` on 127.0.0.1 (fake credentials set here only),
creates D databases × T tables of C columns through boto3 (default 20 × 100 × 20 = 2,000
tables; every 10th table partitioned with a few partitions, every 20th an Athena view over
two tables of its database), a fresh catalog database (migrated), then times, end to end
through ``apps.harvest.actions.trigger_harvest``:

  1. the first harvest,
  2. an unchanged re-harvest.

Prints wall time, phase timings and max RSS. Moto answers every ``GetTables`` in one page,
so this measures our reading and reconciling, not AWS paging.

    .venv/bin/python bench/glue_bench.py [--databases 20 --tables 100 --columns 20] [--server postgresql://postgres@127.0.0.1:5432]
"""

import argparse
import os
import resource
import secrets
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
REGION = "eu-west-1"
TYPES = ["bigint", "string", "double", "decimal(12,2)", "timestamp", "boolean", "date", "array<string>"]


def populate(endpoint: str, databases: int, tables: int, columns: int) -> int:
    import boto3

    from apps.harvest.harvesters.glue import presto_view_text

    glue = boto3.client("glue", endpoint_url=endpoint, region_name=REGION)
    made = 0
    for d in range(databases):
        db = f"lake_{d:02}"
        glue.create_database(DatabaseInput={"Name": db})
        for t in range(tables):
            cols = [{"Name": "id", "Type": "bigint"}] + [
                {"Name": f"c{c:02}", "Type": TYPES[(c + t) % len(TYPES)], "Comment": f"column {c}"}
                for c in range(1, columns)
            ]
            if t % 20 == 19:
                sql = f"SELECT a.id, a.c01, b.c02 AS b_c02, a.c03 + 1 AS c03_plus FROM t{t - 1:03} a JOIN {db}.t{t - 2:03} b ON b.id = a.id"
                glue.create_table(
                    DatabaseName=db,
                    TableInput={
                        "Name": f"v{t:03}",
                        "TableType": "VIRTUAL_VIEW",
                        "Parameters": {"presto_view": "true"},
                        "ViewOriginalText": presto_view_text(
                            sql,
                            db,
                            [("id", "bigint"), ("c01", "varchar"), ("b_c02", "varchar"), ("c03_plus", "double")],
                        ),
                        "StorageDescriptor": {
                            "Columns": [
                                {"Name": "id", "Type": "bigint"},
                                {"Name": "c01", "Type": "string"},
                                {"Name": "b_c02", "Type": "string"},
                                {"Name": "c03_plus", "Type": "double"},
                            ]
                        },
                    },
                )
            else:
                table = {
                    "Name": f"t{t:03}",
                    "TableType": "EXTERNAL_TABLE",
                    "Description": f"Table {t} of {db}",
                    "Parameters": {"classification": "parquet", "recordCount": str(1000 * t)},
                    "StorageDescriptor": {
                        "Columns": cols,
                        "Location": f"s3://bench-lake/{db}/t{t:03}/",
                        "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                        "SerdeInfo": {
                            "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
                        },
                    },
                }
                if t % 10 == 0:
                    table["PartitionKeys"] = [{"Name": "dt", "Type": "string"}]
                glue.create_table(DatabaseName=db, TableInput=table)
                for p in range(3 if t % 10 == 0 else 0):
                    glue.create_partition(
                        DatabaseName=db, TableName=f"t{t:03}", PartitionInput={"Values": [f"2026-11-0{p + 1}"]}
                    )
            made += 1
    return made


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default=os.environ.get("MESH_BENCH_SERVER", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument(
        "--database",
        default="",
        help="Name of the catalog database to create (default mesh_bench_glue_<random>; dropped unless --keep).",
    )
    parser.add_argument("--databases", type=int, default=20)
    parser.add_argument("--tables", type=int, default=100)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="Keep the catalog database.")
    args = parser.parse_args()

    for key, value in {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        os.environ[key] = value
    catalog_db = args.database or f"mesh_bench_glue_{secrets.token_hex(3)}"
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
        admin.execute(f'create database "{catalog_db}"')
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per AWS call otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        os.environ["DATABASE_URL"] = f"{args.server}/{catalog_db}"
        os.environ.pop("REDIS_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesh_catalog.settings")
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        t0 = time.perf_counter()
        made = populate(endpoint, args.databases, args.tables, args.columns)
        print(
            f"moto: {made} tables and views in {args.databases} databases created in {time.perf_counter() - t0:.1f} s"
        )
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"catalog: migrated in {time.perf_counter() - t0:.1f} s")

        from apps.core.actors import SystemActor
        from apps.harvest.actions import create_source, trigger_harvest

        actor = SystemActor("bench")
        source = create_source(
            actor, name="bench-glue", kind="glue", config={"region": REGION, "endpoint_url": endpoint}
        )

        def timed(label: str) -> float:
            start = time.perf_counter()
            run = trigger_harvest(actor, source, triggered_by="bench", run_async=False)
            wall = time.perf_counter() - start
            c = run.counts
            print(f"\n{label}: {run.status} in {wall:.2f} s wall; max RSS {rss_mb():.0f} MB")
            print("  phases (s): " + "  ".join(f"{k}={v:.2f}" for k, v in sorted(run.timings.items())))
            print(
                f"  datasets +{c.get('datasets_added', 0)} ={c.get('datasets_unchanged', 0)}; columns +{c.get('columns_added', 0)}; lineage edges {c.get('lineage_edges', 0)}; column edges {c.get('column_lineage_edges', 0)}; AWS calls {c.get('source_queries')}"
            )
            if run.errors or run.status != "succeeded":
                print(f"  errors: {run.errors} warnings: {run.warnings[:3]}")
            return wall

        first, again = timed("first harvest"), timed("unchanged re-harvest")
        print(f"\nsummary (target): first {first:.2f} s (20 s); unchanged {again:.2f} s")
    finally:
        server.stop()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
                admin.execute(f'drop database if exists "{catalog_db}" with (force)')


if __name__ == "__main__":
    main()
