"""Benchmark: data contracts — checks after a harvest, impact reports, ``mesh diff``.

Builds a fresh catalog database (migrated), then measures three targets of issue 19:

  1. checking 5,000 bound datasets adds ≤ 10 % to a 5,250-table harvest: the same 1 %-changed
     re-harvest (records through ``apps.harvest.pipeline.reconcile``, search hooks in-process)
     without and with 500 contracts × 10 datasets × 20 columns bound;
  2. the impact report of a breaking change on a port with 500 consumer products and 10,000
     column-lineage edges downstream ≤ 500 ms;
  3. ``mesh diff`` of a 200-column contract (the real CLI process against a real HTTP server
     on a random port) ≤ 1 s.

The catalog database is dropped at the end unless --keep.

    .venv/bin/python bench/contracts_bench.py [--server postgresql://postgres@127.0.0.1:5432] [--tables 5250 --bound 5000]
"""

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
NS = "postgres://bench:5432"
TYPES = ["bigint", "text", "integer", "numeric(12,2)", "timestamptz", "boolean", "date", "varchar(100)"]


def records(tables: int, columns: int, *, changed: int = 0, salt: int = 0):
    """``tables`` datasets (db.sN.tM) of ``columns`` columns; the first ``changed`` gain a column."""
    from apps.harvest.records import ColumnRecord, ConstraintRecord, DatasetRecord, DatasetRef

    out = []
    for i in range(tables):
        cols = [
            ColumnRecord(
                name=f"c{j}", ordinal=j + 1, data_type=TYPES[j % len(TYPES)], nullable=j != 0, is_primary_key=j == 0
            )
            for j in range(columns)
        ]
        if i < changed:
            cols.append(ColumnRecord(name=f"extra{salt}", ordinal=columns + 1, data_type="text"))
        out.append(
            DatasetRecord(
                ref=DatasetRef(NS, f"db.s{i // 500}.t{i}"),
                platform="postgres",
                kind="table",
                columns=tuple(cols),
                constraints=(ConstraintRecord(name=f"t{i}_pkey", kind="primary_key", columns=("c0",)),),
            )
        )
    return out


def contract_text(cid: str, objects: list[str], columns: int, version: str = "1.0.0", narrow: str = "") -> str:
    lines = [f"apiVersion: v3.1.0\nkind: DataContract\nid: {cid}\nversion: {version}\nstatus: active\nschema:"]
    for obj in objects:
        lines.append(f"  - name: {obj}\n    physicalType: table\n    properties:")
        for j in range(columns):
            physical = TYPES[j % len(TYPES)]
            if narrow and f"c{j}" == narrow:
                physical = "varchar(50)"
            logical = {
                "bigint": "integer",
                "integer": "integer",
                "numeric(12,2)": "number",
                "timestamptz": "timestamp",
                "boolean": "boolean",
                "date": "date",
            }.get(TYPES[j % len(TYPES)], "string")
            required = "\n        required: true" if j == 0 else ""
            lines.append(
                f"      - name: c{j}\n        logicalType: {logical}\n        physicalType: {physical}{required}"
            )
    return "\n".join(lines) + "\n"


def bench_checks(args, actor):
    from apps.catalog import actions as catalog
    from apps.catalog.models import Dataset
    from apps.contracts.actions import submit_contract
    from apps.harvest.actions import create_source
    from apps.harvest.pipeline import reconcile

    source = create_source(
        actor, name="bench", kind="postgres", config={"dsn": "postgresql://bench/db"}, max_removal_share=1.0
    )
    t0 = time.perf_counter()
    reconcile(source, records(args.tables, args.columns))
    print(f"first harvest ({args.tables} datasets × {args.columns} columns): {time.perf_counter() - t0:.2f} s")

    def timed(label, salt, changed):
        start = time.perf_counter()
        report = reconcile(source, records(args.tables, args.columns, changed=changed, salt=salt))
        took = time.perf_counter() - start
        phase = report.timings.get("reconcile.contracts", 0.0)
        print(
            f"  {label}: {took:.2f} s (contracts phase {phase:.3f} s, checks {report.counts.get('contract_checks', 0)})"
        )
        return took, phase

    changed = args.tables // 100
    without = [timed(f"1% changed re-harvest, no contracts #{k}", k, changed)[0] for k in range(1, 3)]
    unchanged_without = timed("unchanged re-harvest, no contracts", 2, changed)[0]

    domain = catalog.create_domain(actor, slug="bench", name="Bench")
    per_port = 10
    ids = list(Dataset.objects.order_by("pk").values_list("pk", "short_name")[: args.bound])
    t0 = time.perf_counter()
    from apps.catalog.models import DataProduct, Port, PortDataset
    from apps.contracts import odcs
    from apps.contracts.models import Contract, ContractVersion

    # the first contract through the action (validated, versioned); the rest bulk-copied from
    # its parse, so that setting up 500 contracts does not dominate the run
    chunks = [ids[p : p + per_port] for p in range(0, len(ids), per_port)]
    products = DataProduct.objects.bulk_create(
        [DataProduct(domain=domain, slug=f"p{i}", name=f"P{i}") for i in range(len(chunks))]
    )
    ports = Port.objects.bulk_create([Port(product=p, direction="output", name="out") for p in products])
    PortDataset.objects.bulk_create(
        [PortDataset(port=port, dataset_id=pk) for port, chunk in zip(ports, chunks, strict=True) for pk, _ in chunk],
        batch_size=5000,
    )
    first = submit_contract(
        actor, contract_text("c0", [s for _, s in chunks[0]], args.columns), port=ports[0], via="bench"
    )
    contracts = Contract.objects.bulk_create(
        [Contract(odcs_id=f"c{i}", port=port) for i, port in enumerate(ports) if i]
    )
    versions = []
    for contract, chunk in zip(contracts, chunks[1:], strict=True):
        text = contract_text(contract.odcs_id, [s for _, s in chunk], args.columns)
        doc = odcs.yaml.load(text, Loader=odcs.yaml.CSafeLoader)
        versions.append(
            ContractVersion(
                contract=contract, version="1.0.0", major=1, minor=0, patch=0, status="active",
                api_version="v3.1.0", text=text, document=doc,
            )
        )  # fmt: skip
    ContractVersion.objects.bulk_create(versions, batch_size=500)
    assert first.version.status == "active"
    print(f"bound {len(ids)} datasets to {len(chunks)} contracts in {time.perf_counter() - t0:.1f} s")

    if args.profile:
        import cProfile
        import pstats

        from django.utils import timezone

        from apps.contracts.checks import check_datasets

        check_datasets([pk for pk, _ in ids], now=timezone.now())  # the first check judges everything
        profiler = cProfile.Profile()
        profiler.enable()
        check_datasets([pk for pk, _ in ids], fresh=set(), now=timezone.now())  # then nothing changed
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
    with_runs = [timed(f"1% changed re-harvest, {len(ids)} bound #{k}", 2 + k, changed) for k in range(1, 3)]
    unchanged_with, unchanged_phase = timed(f"unchanged re-harvest, {len(ids)} bound", 4, changed)
    base, loaded = statistics.median(without), statistics.median(t for t, _ in with_runs)
    phase = statistics.median(p for _, p in with_runs)
    print(
        f"checks: +{100 * (loaded - base) / base:.1f} % on the 1% changed re-harvest "
        f"({base:.2f} s → {loaded:.2f} s; the contracts phase is {phase:.3f} s = {100 * phase / loaded:.1f} % of it); "
        f"unchanged {unchanged_without:.2f} s → {unchanged_with:.2f} s (phase {unchanged_phase:.3f} s)"
    )


def bench_impact(args, actor):
    from apps.catalog import actions as catalog
    from apps.catalog.models import Column, ColumnLineageEdge, Dataset, LineageEdge, Port
    from apps.contracts.impact import build_impact
    from apps.contracts.models import Contract

    cols = args.columns
    domain = catalog.create_domain(actor, slug="impact", name="Impact")
    upstream = Dataset.objects.create(namespace=NS, name="db.impact.source", short_name="source", platform="postgres")
    Column.objects.bulk_create(
        [Column(dataset=upstream, name=f"c{j}", ordinal=j, data_type="text") for j in range(cols)]
    )
    producer = catalog.create_product(actor, domain=domain, slug="producer", name="Producer")
    port = catalog.create_port(actor, producer, name="out", direction="output", datasets=[upstream.pk])
    downstream = Dataset.objects.bulk_create(
        [
            Dataset(namespace=NS, name=f"db.impact.d{i}", short_name=f"d{i}", platform="postgres")
            for i in range(args.consumers)
        ]
    )
    Column.objects.bulk_create(
        [Column(dataset=d, name=f"c{j}", ordinal=j, data_type="text") for d in downstream for j in range(cols)]
    )
    src_cols = {c.name: c.pk for c in Column.objects.filter(dataset=upstream)}
    edges = [
        ColumnLineageEdge(upstream_id=src_cols[name], downstream_id=pk, evidence="manual")
        for pk, name in Column.objects.filter(dataset__in=downstream).values_list("pk", "name")
    ]
    ColumnLineageEdge.objects.bulk_create(edges, batch_size=5000)
    LineageEdge.objects.bulk_create(
        [LineageEdge(upstream=upstream, downstream=d, evidence="manual") for d in downstream]
    )
    t0 = time.perf_counter()
    for i, d in enumerate(downstream):
        product = catalog.create_product(actor, domain=domain, slug=f"consumer{i}", name=f"Consumer {i}")
        Port.objects.create(product=product, direction="input", name="in", upstream_port=port)
        out = Port.objects.create(product=product, direction="output", name="out")
        out.datasets.set([d])
    contract = Contract.objects.create(odcs_id="impact", port=port)
    print(
        f"impact: {args.consumers} consumer products, {len(edges)} column-lineage edges built in {time.perf_counter() - t0:.1f} s"
    )
    change = [
        {
            "kind": "type_narrowed",
            "subject": "source.c1",
            "before": "text",
            "after": "varchar(50)",
            "breaking": True,
            "level": "major",
        }
    ]
    times = []
    for _ in range(5):
        start = time.perf_counter()
        report = build_impact(contract, change, trigger="proposal")
        times.append(time.perf_counter() - start)
    print(
        f"impact report: median {1000 * statistics.median(times):.0f} ms, best {1000 * min(times):.0f} ms "
        f"({report.affected_count} affected, {report.informed_count} informed)"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_diff(args, actor):
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from apps.catalog import actions as catalog
    from apps.catalog.models import Dataset
    from apps.contracts.actions import submit_contract
    from apps.core.actions import create_token
    from apps.core.testing import make_user
    from mesh_catalog.wsgi import application

    cols = 200
    domain = catalog.create_domain(actor, slug="diff", name="Diff")
    owner = make_user(f"owner{secrets.token_hex(2)}", superuser=True)
    product = catalog.create_product(actor, domain=domain, slug="wide", name="Wide")
    dataset = Dataset.objects.create(namespace=NS, name="db.diff.wide", short_name="wide", platform="postgres")
    port = catalog.create_port(actor, product, name="out", direction="output", datasets=[dataset.pk])
    submit_contract(actor, contract_text("wide", ["wide"], cols), port=port, via="bench")
    token = create_token(owner, name="bench")[1]

    class Quiet(WSGIRequestHandler):
        def log_message(self, *a):
            pass

    port_no = free_port()
    server = make_server("127.0.0.1", port_no, application, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(contract_text("wide", ["wide"], cols, version="2.0.0", narrow="c1"))
    times = []
    for _ in range(5):
        start = time.perf_counter()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "apps.contracts.cli",
                "diff",
                f.name,
                "--catalog",
                f"http://127.0.0.1:{port_no}",
                "--token",
                token,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        times.append(time.perf_counter() - start)
        assert result.returncode == 0 and "BREAKING" in result.stdout, result.stderr
    startup = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "apps.contracts.cli", "validate", f.name], cwd=ROOT, capture_output=True)
        startup.append(time.perf_counter() - start)
    server.shutdown()
    os.unlink(f.name)
    print(
        f"mesh diff ({cols} columns, process + HTTP + server): median {1000 * statistics.median(times):.0f} ms, "
        f"best {1000 * min(times):.0f} ms; offline validate of the same file {1000 * statistics.median(startup):.0f} ms"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default=os.environ.get("MESH_BENCH_SERVER", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--tables", type=int, default=5250)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--bound", type=int, default=5000)
    parser.add_argument("--consumers", type=int, default=500)
    parser.add_argument("--only", choices=["checks", "impact", "diff"], default="")
    parser.add_argument("--keep", action="store_true", help="Keep the catalog database afterwards.")
    parser.add_argument(
        "--profile", action="store_true", help="Print the top functions of one check of the bound datasets."
    )
    args = parser.parse_args()

    catalog_db = f"mesh_bench_contracts_{secrets.token_hex(3)}"
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
        admin.execute(f'create database "{catalog_db}"')
    try:
        os.environ["DATABASE_URL"] = f"{args.server}/{catalog_db}"
        os.environ.pop("REDIS_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mesh_catalog.settings")
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from apps.core.actors import SystemActor

        actor = SystemActor("bench")
        for name, fn in (("checks", bench_checks), ("impact", bench_impact), ("diff", bench_diff)):
            if not args.only or args.only == name:
                fn(args, actor)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
                admin.execute(f'drop database if exists "{catalog_db}" with (force)')


if __name__ == "__main__":
    main()
