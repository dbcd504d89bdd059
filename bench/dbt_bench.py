"""Benchmark: harvesting a large dbt project's artifacts into a PostgreSQL catalog.

Generates a schema-valid manifest (v12) + catalog (v1) of N models × M columns (default
5,000 × 20) over 50 sources, each model reading 1–3 earlier nodes through CTEs, with a
distinct compiled SQL per model (``select *`` from each parent, joins, expressions, casts
and one aggregation in five), then times, end to end through
``apps.harvest.actions.trigger_harvest`` (read + reconcile + commit with its search hooks):

  1. ingest with table-level lineage only (``column_lineage: false``),
  2. ingest with column-level lineage (a second namespace, cold SQL cache, every core),
  3. re-harvest of the unchanged manifest with column lineage (SQL cache warm).

Prints wall time, phase timings, max RSS of the process and of its pool workers. With
``--validate`` the generated manifest is first checked by dbt's own artifact classes
(``.venv-dbt``). The catalog database is dropped at the end unless ``--keep``.

    .venv/bin/python bench/dbt_bench.py [--models 5000 --columns 20] [--validate] [--server postgresql://postgres@127.0.0.1:5432]
"""

import argparse
import copy
import os
import random
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson
import psycopg

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "dbt_artifacts" / "demo"
TYPES = [
    "integer",
    "text",
    "numeric(12,2)",
    "date",
    "bigint",
    "boolean",
    "timestamp without time zone",
    "character varying(50)",
]
SOURCES = 50


# --- the synthetic project ---------------------------------------------------------------


def column_names(columns: int) -> list[str]:
    return ["id"] + [f"c{i:02}" for i in range(1, columns)]


def relation(database: str, schema: str, name: str) -> str:
    return f'"{database}"."{schema}"."{name}"'


def compiled_sql(parents: list[tuple[str, str]], columns: list[str], index: int) -> str:
    """Distinct, realistic SQL: one CTE per parent, a join on id, a mix of projections."""
    ctes = ",\n".join(f"p{k} as (\n    select * from {rel}\n)" for k, (_, rel) in enumerate(parents))
    aggregate = index % 5 == 0
    projections = []
    for position, col in enumerate(columns):
        src = f"p{position % len(parents)}"
        if col == "id":
            projections.append("p0.id as id")
        elif aggregate and position % 3 == 0:
            projections.append(
                f"sum({src}.{col}) as {col}" if position % 2 else f"count(distinct {src}.{col}) as {col}"
            )
        elif aggregate:
            projections.append(f"max({src}.{col}) as {col}")
        elif position % 4 == 1:
            projections.append(f"{src}.{col}::text as {col}")
        elif position % 4 == 2:
            projections.append(f"coalesce({src}.{col}, p0.{col}) as {col}")
        elif position % 4 == 3:
            projections.append(f"case when {src}.{col} is null then 0 else 1 end as {col}")
        else:
            projections.append(f"{src}.{col} as {col}")
    joins = "\n".join(f"left join p{k} on p{k}.id = p0.id" for k in range(1, len(parents)))
    group = "\ngroup by p0.id" if aggregate else ""
    return f"-- model {index}\nwith {ctes}\n\nselect\n    " + ",\n    ".join(projections) + f"\nfrom p0\n{joins}{group}"


def generate(models: int, columns: int, out: Path, seed: int = 7) -> None:
    """Write manifest.json and catalog.json of the synthetic project into ``out``."""
    rng = random.Random(seed)
    demo_manifest = orjson.loads((DEMO / "manifest.json").read_bytes())
    demo_catalog = orjson.loads((DEMO / "catalog.json").read_bytes())
    model_template = demo_manifest["nodes"]["model.mesh_demo.stg_orders"]
    source_template = demo_manifest["sources"]["source.mesh_demo.shop_raw.orders"]
    entry_template = demo_catalog["nodes"]["model.mesh_demo.stg_orders"]
    names = column_names(columns)
    database = "bench_warehouse"
    nodes, sources, catalog_nodes, catalog_sources = {}, {}, {}, {}
    parent_map, child_map = {}, {}

    def catalog_entry(uid, schema, name):
        entry = copy.deepcopy(entry_template)
        entry["unique_id"] = uid
        entry["metadata"].update(schema=schema, name=name, database=database, type="BASE TABLE")
        entry["columns"] = {
            c: {"type": TYPES[i % len(TYPES)] if c != "id" else "integer", "index": i + 1, "name": c, "comment": None}
            for i, c in enumerate(names)
        }
        return entry

    available = []  # (unique_id, relation)
    for s in range(SOURCES):
        uid = f"source.bench.raw.t{s:03}"
        node = copy.deepcopy(source_template)
        node.update(
            unique_id=uid,
            name=f"t{s:03}",
            identifier=f"t{s:03}",
            schema="raw",
            database=database,
            source_name="raw",
            fqn=["bench", "raw", f"t{s:03}"],
            relation_name=relation(database, "raw", f"t{s:03}"),
            description=f"Raw table {s}.",
            package_name="bench",
        )
        node["columns"] = {}
        sources[uid] = node
        catalog_sources[uid] = catalog_entry(uid, "raw", f"t{s:03}")
        available.append((uid, relation(database, "raw", f"t{s:03}")))
        parent_map[uid], child_map[uid] = [], []

    for m in range(models):
        uid = f"model.bench.m{m:05}"
        schema = f"layer{m % 10}"
        name = f"m{m:05}"
        window = available[-400:]  # parents among recent nodes: a DAG of realistic depth
        parents = rng.sample(window, k=min(len(window), rng.randint(1, 3)))
        node = copy.deepcopy(model_template)
        sql = compiled_sql(parents, names, m)
        node.update(
            unique_id=uid,
            name=name,
            alias=name,
            schema=schema,
            database=database,
            package_name="bench",
            fqn=["bench", schema, name],
            path=f"{schema}/{name}.sql",
            original_file_path=f"models/{schema}/{name}.sql",
            relation_name=relation(database, schema, name),
            description=f"Model {m}.",
            raw_code=sql,
            compiled_code=sql,
            checksum={"name": "sha256", "checksum": secrets.token_hex(32)},
            group=None,
            depends_on={"macros": [], "nodes": [p for p, _ in parents]},
            refs=[],
            sources=[],
            compiled_path=f"target/compiled/bench/models/{schema}/{name}.sql",
        )
        node["config"] = {
            **node["config"],
            "materialized": "table",
            "schema": schema,
            "group": None,
            "meta": {"owner": f"team{m % 25}@example.com", "domain": f"domain{m % 8}"},
        }
        node["meta"] = dict(node["config"]["meta"])
        node["columns"] = {
            c: {
                "name": c,
                "description": f"Column {c} of {name}.",
                "meta": {},
                "data_type": None,
                "constraints": [],
                "quote": None,
                "config": {"meta": {}, "tags": []},
                "tags": [],
                "granularity": None,
                "doc_blocks": [],
            }
            for c in names
        }
        nodes[uid] = node
        catalog_nodes[uid] = catalog_entry(uid, schema, name)
        available.append((uid, relation(database, schema, name)))
        parent_map[uid] = [p for p, _ in parents]
        child_map[uid] = []
        for p, _ in parents:
            child_map[p].append(uid)

    manifest = {
        key: value
        for key, value in demo_manifest.items()
        if key
        not in (
            "nodes",
            "sources",
            "parent_map",
            "child_map",
            "exposures",
            "groups",
            "group_map",
            "metrics",
            "semantic_models",
            "saved_queries",
            "unit_tests",
            "disabled",
            "docs",
            "macros",
            "selectors",
            "functions",
        )
    }
    manifest["metadata"] = {
        **demo_manifest["metadata"],
        "project_name": "bench",
        "invocation_id": "00000000-0000-4000-8000-000000000000",
    }
    manifest.update(
        nodes=nodes,
        sources=sources,
        parent_map=parent_map,
        child_map=child_map,
        exposures={},
        groups={},
        group_map={},
        metrics={},
        semantic_models={},
        saved_queries={},
        unit_tests={},
        disabled={},
        docs={},
        macros={},
        selectors={},
        functions={},
    )
    catalog = {"metadata": demo_catalog["metadata"], "nodes": catalog_nodes, "sources": catalog_sources, "errors": None}
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").write_bytes(orjson.dumps(manifest))
    (out / "catalog.json").write_bytes(orjson.dumps(catalog))


def validate_with_dbt(path: Path) -> None:
    """Load the manifest with dbt's own artifact classes (raises on a schema violation)."""
    python = ROOT / ".venv-dbt" / "bin" / "python"
    code = "import sys; from dbt.artifacts.schemas.manifest import WritableManifest; m = WritableManifest.read_and_check_versions(sys.argv[1]); print(f'dbt accepts the manifest: {len(m.nodes)} nodes, {len(m.sources)} sources')"
    subprocess.run([str(python), "-c", code, str(path / "manifest.json")], check=True)


# --- timing ---------------------------------------------------------------------------------


def rss_mb() -> tuple[float, float]:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, resource.getrusage(
        resource.RUSAGE_CHILDREN
    ).ru_maxrss / 1024


def cpu_s() -> tuple[float, float]:
    """CPU seconds of this process and of its finished pool workers (contention-proof figures)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


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

        from apps.core.actors import SystemActor
        from apps.harvest.actions import create_source, trigger_harvest

        actor = SystemActor("bench")
        path = str(work / "artifacts")
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
                f"  datasets +{c.get('datasets_added', 0)} ={c.get('datasets_unchanged', 0)}; columns +{c.get('columns_added', 0)}; lineage edges {c.get('lineage_edges', 0)}; column edges {c.get('column_lineage_edges', 0)} (+{c.get('column_lineage_edges_added', 0)})"
            )
            if run.errors or run.status != "succeeded":
                print(f"  errors: {run.errors} warnings: {run.warnings[:3]}")
            return wall

        results = [
            (timed("ingest, table-level lineage", table_level), 10.0),
            (timed("ingest, column-level lineage (cold cache, all cores)", column_level), 40.0),
            (timed("unchanged re-harvest, column-level lineage", column_level), 5.0),
        ]
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
