"""The synthetic dbt project of ``dbt_bench.py``: a schema-valid manifest (v12) and catalog (v1).

N models × M columns over 50 sources, each model reading 1–3 earlier nodes through CTEs, with a
distinct compiled SQL per model (``select *`` from each parent, joins, expressions, casts and
one aggregation in five), built from the demo project's nodes as templates.
"""

import copy
import random
import secrets
import subprocess
from pathlib import Path

import orjson

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


def change_models(out: Path, every: int = 100) -> int:
    """Edit the compiled SQL of every ``every``-th model (a comment: same lineage, new text)."""
    path = out / "manifest.json"
    manifest = orjson.loads(path.read_bytes())
    changed = 0
    for position, uid in enumerate(sorted(u for u in manifest["nodes"] if u.startswith("model."))):
        if position % every == 0:
            node = manifest["nodes"][uid]
            node["compiled_code"] = node["raw_code"] = node["compiled_code"] + "\n-- edited"
            changed += 1
    path.write_bytes(orjson.dumps(manifest))
    return changed
