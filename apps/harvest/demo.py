"""The harvested part of the demo: the demo dbt project's artifacts and its warehouse.

``load_demo`` (``make run``) calls ``load_demo_data(stdout)`` after the catalog's demo mesh.
It creates — once — a dbt source on the committed artifacts of ``fixtures/dbt_demo``
(``fixtures/dbt_artifacts/demo``, written by real dbt), and a source on the demo warehouse
(``apps.core.demo_warehouse``): the embedded DuckDB file ``var/demo_warehouse.duckdb``,
built here from the same artifacts when missing (no dbt, no services), or the PostgreSQL
``mesh_demo_warehouse`` when it answers (``scripts/dbt_build_fixture.sh`` builds it). Both
are harvested in-process; the datasets meet the demo mesh's ports by name. Running it
again re-harvests (which writes nothing when nothing changed) and never changes a source
someone edited. Never fails the demo: a problem becomes one printed line.
"""

from apps.core import demo_warehouse
from apps.core.actors import SystemActor
from apps.core.errors import ActionError

DEMO_ACTOR = SystemActor("demo-loader")
WAREHOUSE_NAMESPACE = demo_warehouse.POSTGRES_NAMESPACE
DBT_SOURCE = "mesh-demo-dbt"
WAREHOUSE_SOURCE = "mesh-demo-warehouse"
DUCKDB_SOURCE = "mesh-demo-warehouse-duckdb"
WAREHOUSE_DSN = demo_warehouse.POSTGRES_DSN
WAREHOUSE_SCHEMAS = ["raw", "staging", "sales", "marketing", "finance", "snapshots"]
# The demo mesh already puts these tables into its products' ports (fixtures/demo_mesh.yaml);
# reading ``meta.data_product`` too would add a second port per product holding the same
# tables. The demo dbt source therefore takes placement from domains only: its
# data_product meta key points at a key the project does not use.
DBT_META_KEYS = {"data_product": "catalog_data_product"}


def demo_artifacts_dir():
    from apps.harvest.demo_warehouse import artifacts_dir

    return artifacts_dir()


def load_demo_data(stdout) -> None:
    kind = demo_warehouse.kind()
    if kind == "duckdb":
        built = _build_duckdb(stdout)
    dbt_config = {
        "path": str(demo_artifacts_dir()),
        "warehouse_namespace": demo_warehouse.namespace(),
        "meta_keys": DBT_META_KEYS,
    }
    stdout.write(_harvest_line(DBT_SOURCE, "dbt", dbt_config) + "\n")
    if kind == "duckdb":
        if built:
            config = {"path": str(demo_warehouse.duckdb_path()), "database": demo_warehouse.DATABASE}
            stdout.write(_harvest_line(DUCKDB_SOURCE, "duckdb", config) + "\n")
        return
    reachable, reason = warehouse_reachable()
    if not reachable:
        stdout.write(
            f"Demo warehouse not harvested: PostgreSQL database mesh_demo_warehouse is not reachable at 127.0.0.1:5432 ({reason}). Build it with scripts/dbt_build_fixture.sh, or use the embedded one (MESH_DEMO_WAREHOUSE=duckdb), then run load_demo again.\n"
        )
        return
    stdout.write(
        _harvest_line(WAREHOUSE_SOURCE, "postgres", {"dsn": WAREHOUSE_DSN, "include_schemas": WAREHOUSE_SCHEMAS}) + "\n"
    )


def _build_duckdb(stdout) -> bool:
    from apps.harvest.demo_warehouse import WarehouseBuildError, ensure_demo_warehouse

    try:
        path, built = ensure_demo_warehouse(demo_warehouse.duckdb_path())
    except (WarehouseBuildError, OSError) as exc:
        stdout.write(f"Demo warehouse not built: {exc}\n")
        return False
    stdout.write(f"Demo warehouse: {path} ({'built from the demo dbt project' if built else 'up to date'}).\n")
    return True


def warehouse_reachable() -> tuple[bool, str]:
    """Whether the PostgreSQL demo warehouse answers within a short timeout, and if not, why."""
    return demo_warehouse.postgres_reachable(WAREHOUSE_DSN)


def _harvest_line(name: str, kind: str, config: dict) -> str:
    """Create the source when missing (or fix its config), harvest it here, and say how it went."""
    try:
        from apps.harvest.actions import create_source, trigger_harvest
        from apps.harvest.models import Source
    except ImportError as exc:  # the harvest framework is not installed in this checkout
        return f"Demo source {name} skipped: the harvest framework is not available ({exc})."
    try:
        source = Source.objects.filter(name=name).first()
        if source is not None and source.kind != kind:
            return f"Demo source {name} left alone: it exists with kind {source.kind}, not {kind}."
        if source is None:
            source = create_source(
                DEMO_ACTOR,
                name=name,
                kind=kind,
                config=config,
                description="Demo source loaded by load_demo.",
                via="demo",
            )
        run = trigger_harvest(DEMO_ACTOR, source, triggered_by="demo", run_async=False)
    except ActionError as exc:
        return f"Demo source {name} not harvested: {exc.message}"
    counts = run.counts
    summary = ", ".join(
        f"{counts[key]} {label}"
        for key, label in (
            ("records_datasets", "datasets"),
            ("datasets_added", "added"),
            ("datasets_unchanged", "unchanged"),
            ("lineage_edges", "lineage edges"),
            ("column_lineage_edges", "column edges"),
            ("quality_checks", "quality checks"),
        )
        if counts.get(key)
    )
    problems = f"; {len(run.errors)} error(s): {run.errors[0]['message']}" if run.errors else ""
    return f"Harvested {kind} source {name}: {run.status} ({summary or 'nothing'}){problems}"
