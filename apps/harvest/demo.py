"""The harvested part of the demo: the demo dbt project's artifacts, and its warehouse when reachable.

``load_demo`` (``make run``) calls ``load_demo_data(stdout)`` after the catalog's demo mesh.
It creates — once — a dbt source on the committed artifacts of ``fixtures/dbt_demo``
(``fixtures/dbt_artifacts/demo``, written by real dbt) and harvests it in-process, so the
demo shows real lineage, tests and freshness. When a local PostgreSQL holds the demo
warehouse (``scripts/dbt_build_fixture.sh`` builds it), a postgres source harvests that too;
the datasets meet the demo mesh's ports by name (``postgres://127.0.0.1:5432`` +
``mesh_demo_warehouse.<schema>.<table>``). Running it again re-harvests, which writes
nothing when nothing changed. Never fails the demo: a problem becomes one printed line.
"""

from pathlib import Path

from django.conf import settings

from apps.core.actors import SystemActor
from apps.core.errors import ActionError

DEMO_ACTOR = SystemActor("demo-loader")
WAREHOUSE_NAMESPACE = "postgres://127.0.0.1:5432"
DBT_SOURCE = "mesh-demo-dbt"
WAREHOUSE_SOURCE = "mesh-demo-warehouse"
WAREHOUSE_DSN = "postgresql://postgres@127.0.0.1:5432/mesh_demo_warehouse"
WAREHOUSE_SCHEMAS = ["raw", "staging", "sales", "marketing", "finance", "snapshots"]
CONNECT_TIMEOUT_S = 2
# The demo mesh already puts these tables into its products' ports (fixtures/demo_mesh.yaml);
# reading ``meta.data_product`` too would add a second port per product holding the same
# tables. The demo dbt source therefore takes placement from domains only: its
# data_product meta key points at a key the project does not use.
DBT_META_KEYS = {"data_product": "catalog_data_product"}


def demo_artifacts_dir() -> Path:
    return Path(settings.BASE_DIR) / "fixtures" / "dbt_artifacts" / "demo"


def load_demo_data(stdout) -> None:
    dbt_config = {
        "path": str(demo_artifacts_dir()),
        "warehouse_namespace": WAREHOUSE_NAMESPACE,
        "meta_keys": DBT_META_KEYS,
    }
    stdout.write(_harvest_line(DBT_SOURCE, "dbt", dbt_config) + "\n")
    reachable, reason = warehouse_reachable()
    if not reachable:
        stdout.write(
            f"Demo warehouse not harvested: PostgreSQL database mesh_demo_warehouse is not reachable at 127.0.0.1:5432 ({reason}). Build it with scripts/dbt_build_fixture.sh, then run load_demo again.\n"
        )
        return
    stdout.write(
        _harvest_line(WAREHOUSE_SOURCE, "postgres", {"dsn": WAREHOUSE_DSN, "include_schemas": WAREHOUSE_SCHEMAS}) + "\n"
    )


def warehouse_reachable() -> tuple[bool, str]:
    """Whether the demo warehouse answers within a short timeout, and if not, why."""
    try:
        import psycopg
    except ImportError:
        return False, "psycopg is not installed"
    try:
        with psycopg.connect(WAREHOUSE_DSN, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            conn.execute("select 1")
    except psycopg.Error as exc:
        return False, (str(exc).strip().splitlines() or ["connection failed"])[0][:200]
    return True, ""


def _harvest_line(name: str, kind: str, config: dict) -> str:
    """Create the source when missing (or fix its config), harvest it here, and say how it went."""
    try:
        from apps.harvest.actions import create_source, trigger_harvest, update_source
        from apps.harvest.models import Source
    except ImportError as exc:  # the harvest framework is not installed in this checkout
        return f"Demo source {name} skipped: the harvest framework is not available ({exc})."
    try:
        source = Source.objects.filter(name=name).first()
        if source is None:
            source = create_source(
                DEMO_ACTOR,
                name=name,
                kind=kind,
                config=config,
                description="Demo source loaded by load_demo.",
                via="demo",
            )
        elif source.kind == kind and source.config != _normalised(kind, config):
            source = update_source(DEMO_ACTOR, source, config=config, via="demo")
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


def _normalised(kind: str, config: dict) -> dict:
    from apps.harvest.harvesters.base import harvester_registry

    return harvester_registry[kind].validate_config(config)
