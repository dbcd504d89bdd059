"""The embedded demo warehouse: a DuckDB file built from the demo dbt project, without dbt.

``make run`` with no services calls ``ensure_demo_warehouse()`` (through ``load_demo``):
it builds ``var/demo_warehouse.duckdb`` (``MESH_DATA_DIR``) from what dbt itself wrote
into ``fixtures/dbt_artifacts/demo``: the seeds' CSV files typed as dbt's catalog typed
them, then every model in dependency order from its *compiled* SQL (transpiled from
PostgreSQL to DuckDB with sqlglot), materialized as dbt configured it (view, table;
incremental as a full build; ephemeral models are inlined by dbt already), snapshots as
tables with dbt's validity columns, and the models' descriptions as DuckDB comments.

The file is written beside its final name and renamed into place, so a failed build
leaves no half-built warehouse; a stamp file records the manifest it was built from and
an unchanged manifest is not rebuilt. Only files under ``MESH_DATA_DIR`` are written.
"""

import hashlib
import json
import os
from pathlib import Path

import sqlglot
from django.conf import settings
from sqlglot import exp

from apps.core.duckdb_files import quote_ident, quote_literal

DATABASE = "mesh_demo_warehouse"  # the dbt project's database: dbt docs and harvest meet on one name
FILE_NAME = "demo_warehouse.duckdb"
BUILDABLE = {"seed", "model", "snapshot"}
SNAPSHOT_COLUMNS = {
    "dbt_scd_id": "md5(CAST({key} AS VARCHAR) || '|' || CAST({updated} AS VARCHAR))",
    "dbt_updated_at": "{updated}",
    "dbt_valid_from": "{updated}",
    "dbt_valid_to": "CAST(NULL AS TIMESTAMP)",
}


class WarehouseBuildError(Exception):
    """The demo warehouse could not be built; the message names the node."""


def warehouse_path() -> Path:
    return Path(settings.DATA_DIR) / FILE_NAME


def artifacts_dir() -> Path:
    return Path(settings.BASE_DIR) / "fixtures" / "dbt_artifacts" / "demo"


def project_dir() -> Path:
    return Path(settings.BASE_DIR) / "fixtures" / "dbt_demo"


def ensure_demo_warehouse(path: Path | None = None, *, force: bool = False) -> tuple[Path, bool]:
    """(the warehouse file, whether it was built now); builds only when missing or stale."""
    path = path or warehouse_path()
    manifest_bytes = (artifacts_dir() / "manifest.json").read_bytes()
    stamp = hashlib.sha256(manifest_bytes + (artifacts_dir() / "catalog.json").read_bytes()).hexdigest()
    stamp_file = path.with_name(path.name + ".stamp")
    if not force and path.exists() and stamp_file.exists() and stamp_file.read_text().strip() == stamp:
        return path, False
    build(path, json.loads(manifest_bytes), json.loads((artifacts_dir() / "catalog.json").read_text()))
    stamp_file.write_text(stamp + "\n")
    return path, True


def build(path: Path, manifest: dict, catalog: dict) -> None:
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    nodes = {uid: n for uid, n in manifest["nodes"].items() if n.get("resource_type") in BUILDABLE}
    try:
        con = duckdb.connect(str(tmp), config={"threads": "2"})
        try:
            _build_all(con, nodes, manifest, catalog)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
        raise


def _build_all(con, nodes: dict, manifest: dict, catalog: dict) -> None:
    import duckdb

    for schema in sorted({n["schema"] for n in nodes.values() if n["config"].get("materialized") != "ephemeral"}):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema)}")
    for uid in _topological(nodes):
        node = nodes[uid]
        materialized = node["config"].get("materialized")
        if materialized == "ephemeral":
            continue
        relation = f"{quote_ident(node['schema'])}.{quote_ident(node.get('alias') or node['name'])}"
        try:
            if node["resource_type"] == "seed":
                con.execute(f"CREATE TABLE {relation} AS {_seed_select(node, catalog)}")
            elif node["resource_type"] == "snapshot":
                con.execute(f"CREATE TABLE {relation} AS {_snapshot_select(node)}")
            else:
                select = _duckdb_sql(node)
                kind = "VIEW" if materialized == "view" else "TABLE"
                con.execute(f"CREATE {kind} {relation} AS {select}")
            _comment(con, relation, node, "VIEW" if materialized == "view" else "TABLE")
        except duckdb.Error as exc:
            raise WarehouseBuildError(f"{uid}: {str(exc).splitlines()[0]}") from None


def _topological(nodes: dict) -> list[str]:
    order, seen = [], set()

    def visit(uid: str, depth: int = 0):
        if uid in seen or uid not in nodes or depth > 100:
            return
        seen.add(uid)
        for parent in nodes[uid].get("depends_on", {}).get("nodes", []):
            visit(parent, depth + 1)
        order.append(uid)

    # Sources are the seeds' relations (the project loads its raw data with dbt seed).
    for uid in sorted(nodes, key=lambda u: (nodes[u]["resource_type"] != "seed", u)):
        visit(uid)
    return order


def _seed_select(node: dict, catalog: dict) -> str:
    csv = project_dir() / node["original_file_path"]
    columns = (catalog.get("nodes", {}).get(node["unique_id"]) or {}).get("columns") or {}
    types = {c["name"]: c["type"] for c in columns.values()}
    header = csv.open().readline().strip().split(",")
    select = ", ".join(
        f"CAST({quote_ident(c)} AS {_duckdb_type(types.get(c, 'text'))}) AS {quote_ident(c)}" for c in header
    )
    return f"SELECT {select} FROM read_csv({quote_literal(str(csv))}, header = true, all_varchar = true)"


def _duckdb_type(pg_type: str) -> str:
    return sqlglot.parse_one(f"CAST(x AS {pg_type})", dialect="postgres").to.sql(dialect="duckdb")


def _snapshot_select(node: dict) -> str:
    config = node["config"]
    key, updated = quote_ident(config.get("unique_key") or "id"), quote_ident(config.get("updated_at") or "updated_at")
    extra = ", ".join(f"{sql.format(key=key, updated=updated)} AS {name}" for name, sql in SNAPSHOT_COLUMNS.items())
    return f"SELECT *, {extra} FROM ({_duckdb_sql(node)}) AS snapshot_source"


def _duckdb_sql(node: dict) -> str:
    """The node's compiled SQL in DuckDB's dialect, with catalog names dropped (the file may be
    attached under any name) and an incremental model's own-table filter removed (a full build)."""
    ast = sqlglot.parse_one(node["compiled_code"], dialect="postgres")
    own = (node["schema"].lower(), (node.get("alias") or node["name"]).lower())
    if node["config"].get("materialized") == "incremental":
        for where in list(ast.find_all(exp.Where)):
            if any((t.db.lower(), t.name.lower()) == own for t in where.find_all(exp.Table)):
                where.pop()
    for table in ast.find_all(exp.Table):
        table.set("catalog", None)
    return ast.sql(dialect="duckdb")


def _comment(con, relation: str, node: dict, kind: str) -> None:
    if node.get("description"):
        con.execute(f"COMMENT ON {kind} {relation} IS {quote_literal(node['description'].strip())}")
    for name, column in (node.get("columns") or {}).items():
        if column.get("description"):
            con.execute(
                f"COMMENT ON COLUMN {relation}.{quote_ident(name)} IS {quote_literal(column['description'].strip())}"
            )
