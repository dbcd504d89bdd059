"""Benchmark: harvesting a folder of AsyncAPI documents (1,000 channels) into a PostgreSQL catalog.

Generates ``--documents`` services (default 100) with ``--channels`` channels each (default
10): half with Avro payloads (every other one a ``.avsc`` file referencing a shared named
type, the rest inline), half with JSON Schema payloads using ``$ref`` into components; every
payload has nested records, arrays and enums (~20 flattened fields). Every channel is sent
by one service and received by the next, so the lineage is a chain. Then times, end to end
through ``apps.harvest.actions.trigger_harvest``: the first harvest, an unchanged re-harvest,
and a re-harvest after 1% of the channels' schemas changed.

    .venv/bin/python bench/harvest_asyncapi.py [--catalog-server postgresql://postgres@127.0.0.1:5432] [--documents 100 --channels 10]
"""

import argparse
import json
import os
import resource
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import yaml

ROOT = Path(__file__).resolve().parent.parent

MONEY = {
    "type": "record",
    "name": "Money",
    "namespace": "bench.common",
    "fields": [
        {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}},
        {"name": "currency", "type": {"type": "enum", "name": "Currency", "symbols": ["EUR", "USD"]}},
    ],
}


def avro_record(name: str, extra: str = "") -> dict:
    return {
        "type": "record",
        "name": name,
        "namespace": "bench.events",
        "fields": [
            {"name": "id", "type": {"type": "string", "logicalType": "uuid"}, "doc": "Event id"},
            {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "amount", "type": "bench.common.Money"},
            {
                "name": "customer",
                "type": {
                    "type": "record",
                    "name": f"{name}Customer",
                    "fields": [
                        {"name": "id", "type": "long"},
                        {"name": "email", "type": ["null", "string"], "default": None},
                        {"name": "tier", "type": {"type": "enum", "name": f"{name}Tier", "symbols": ["FREE", "PRO"]}},
                    ],
                },
            },
            {
                "name": "lines",
                "type": {
                    "type": "array",
                    "items": {
                        "type": "record",
                        "name": f"{name}Line",
                        "fields": [{"name": "sku", "type": "string"}, {"name": "qty", "type": "int"}],
                    },
                },
            },
            {"name": "tags", "type": {"type": "map", "values": "string"}, "default": {}},
            *[{"name": f"f{i}{extra}", "type": ["null", "string"], "default": None} for i in range(8)],
        ],
    }


def json_schema(extra: str = "") -> dict:
    return {
        "type": "object",
        "required": ["id", "at"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "at": {"type": "string", "format": "date-time"},
            "amount": {"$ref": "#/components/schemas/Money"},
            "customer": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "email": {"type": "string"},
                    "tier": {"enum": ["free", "pro"]},
                },
            },
            "lines": {
                "type": "array",
                "items": {"type": "object", "properties": {"sku": {"type": "string"}, "qty": {"type": "integer"}}},
            },
            **{f"f{i}{extra}": {"type": "string", "description": f"Field {i}"} for i in range(10)},
        },
    }


def generate(folder: Path, documents: int, channels: int, changed: set[int] = frozenset()) -> int:
    (folder / "schemas").mkdir(parents=True, exist_ok=True)
    (folder / "schemas" / "money.avsc").write_text(json.dumps(MONEY))
    total = documents * channels
    for d in range(documents):
        doc_channels, operations = {}, {}
        for c in range(channels):
            n = d * channels + c
            extra = "_v2" if n in changed else ""
            address = f"bench.d{d}.c{c}.v1"
            if n % 2 == 0:
                if n % 4 == 0:
                    (folder / "schemas" / f"e{n}.avsc").write_text(json.dumps(avro_record(f"E{n}", extra)))
                    schema = {"$ref": f"schemas/e{n}.avsc"}
                else:
                    schema = avro_record(f"E{n}", extra)
                payload = {"schemaFormat": "application/vnd.apache.avro;version=1.9.0", "schema": schema}
            else:
                payload = json_schema(extra)
            doc_channels[f"c{c}"] = {"address": address, "messages": {f"m{c}": {"name": f"M{n}", "payload": payload}}}
            operations[f"send{c}"] = {"action": "send", "channel": {"$ref": f"#/channels/c{c}"}}
            prev = (n - 1) % total  # receive the previous service's channel
            pd, pc = divmod(prev, channels)
            doc_channels[f"in{c}"] = {"address": f"bench.d{pd}.c{pc}.v1"}
            operations[f"receive{c}"] = {"action": "receive", "channel": {"$ref": f"#/channels/in{c}"}}
        doc = {
            "asyncapi": "3.0.0",
            "info": {"title": f"Service {d}", "version": "1.0.0", "x-owner": f"team{d % 10}@example.com"},
            "servers": {"prod": {"host": "kafka.bench:9092", "protocol": "kafka"}},
            "channels": doc_channels,
            "operations": operations,
            "components": {
                "schemas": {
                    "Money": {
                        "type": "object",
                        "properties": {"amount": {"type": "number"}, "currency": {"type": "string"}},
                    }
                }
            },
        }
        (folder / f"service-{d}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return total


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--catalog-server", default=os.environ.get("MESH_BENCH_SERVER", "postgresql://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--channels", type=int, default=10)
    args = parser.parse_args()

    catalog_db = f"mesh_bench_catalog_{secrets.token_hex(3)}"
    folder = Path(tempfile.mkdtemp(prefix="mesh-bench-asyncapi-"))
    with psycopg.connect(f"{args.catalog_server}/postgres", autocommit=True) as admin:
        admin.execute(f'create database "{catalog_db}"')
    try:
        t0 = time.perf_counter()
        total = generate(folder, args.documents, args.channels)
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        print(
            f"source: {args.documents} documents, {total} channels, {size / 2**20:.1f} MB written in {time.perf_counter() - t0:.1f} s"
        )

        os.environ["DATABASE_URL"] = f"{args.catalog_server}/{catalog_db}"
        os.environ.pop("REDIS_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesh_catalog.settings")
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from apps.core.actors import SystemActor
        from apps.harvest.actions import create_source, trigger_harvest

        actor = SystemActor("bench")
        source = create_source(actor, name="bench-asyncapi", kind="asyncapi", config={"path": str(folder)})

        def timed(label: str):
            start = time.perf_counter()
            run = trigger_harvest(actor, source, triggered_by="bench", run_async=False)
            wall = time.perf_counter() - start
            c = run.counts
            phases = "  ".join(f"{k}={v:.2f}" for k, v in sorted(run.timings.items()))
            print(
                f"\n{label}: {run.status} in {wall:.2f} s wall; max RSS {rss_mb():.0f} MB; documents read {c.get('source_queries')}"
            )
            print(f"  phases (s): {phases}")
            print(
                f"  datasets +{c.get('datasets_added', 0)} ~{c.get('datasets_changed', 0)} ={c.get('datasets_unchanged', 0)}; "
                f"columns +{c.get('columns_added', 0)} -{c.get('columns_removed', 0)}; lineage edges {c.get('lineage_edges', 0)}; "
                f"schema changes {c.get('schema_changes', 0)} (breaking {c.get('breaking_changes', 0)})"
            )
            if run.errors:
                print(f"  errors: {run.errors}")
            return wall

        results = [timed("first harvest"), timed("unchanged re-harvest")]
        generate(folder, args.documents, args.channels, changed=set(range(0, total, 100)))
        results.append(timed("re-harvest after 1% of the channels changed"))
        print("\nsummary (target 3 s for the first): " + "; ".join(f"{w:.2f} s" for w in results))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        with psycopg.connect(f"{args.catalog_server}/postgres", autocommit=True) as admin:
            admin.execute(f'drop database if exists "{catalog_db}" with (force)')


if __name__ == "__main__":
    main()
