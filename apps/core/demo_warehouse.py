"""Which warehouse the demo uses, decided once for every app's demo loader.

``MESH_DEMO_WAREHOUSE``: ``duckdb`` — the embedded file ``<MESH_DATA_DIR>/demo_warehouse.duckdb``
built from the demo dbt project (no services needed: what ``make run`` uses on a fresh
clone); ``postgres`` — the ``mesh_demo_warehouse`` database on 127.0.0.1:5432 built by
``scripts/dbt_build_fixture.sh``; ``auto`` (default) — postgres when that database answers
within two seconds, else duckdb. The demo mesh's datasets are named in the chosen
warehouse's namespace, so dbt's docs, the harvest and the products' ports meet on one
dataset per table.
"""

from functools import lru_cache
from pathlib import Path

from django.conf import settings

from apps.core.duckdb_files import namespace_of

POSTGRES_NAMESPACE = "postgres://127.0.0.1:5432"
POSTGRES_DSN = "postgresql://postgres@127.0.0.1:5432/mesh_demo_warehouse"
DATABASE = "mesh_demo_warehouse"
DUCKDB_FILE = "demo_warehouse.duckdb"


def duckdb_path() -> Path:
    return Path(settings.DATA_DIR) / DUCKDB_FILE


def postgres_reachable(dsn: str = POSTGRES_DSN) -> tuple[bool, str]:
    """Whether the PostgreSQL demo warehouse answers within a short timeout, and if not, why."""
    try:
        import psycopg
    except ImportError:
        return False, "psycopg is not installed"
    try:
        with psycopg.connect(dsn, connect_timeout=2) as conn:
            conn.execute("select 1")
    except psycopg.Error as exc:
        return False, (str(exc).strip().splitlines() or ["connection failed"])[0][:200]
    return True, ""


@lru_cache(maxsize=1)
def _auto() -> str:
    return "postgres" if postgres_reachable()[0] else "duckdb"


def kind() -> str:
    """``postgres`` or ``duckdb``."""
    wanted = (getattr(settings, "MESH_DEMO_WAREHOUSE", "auto") or "auto").lower()
    if wanted in ("postgres", "duckdb"):
        return wanted
    return _auto()


def namespace() -> str:
    return POSTGRES_NAMESPACE if kind() == "postgres" else namespace_of(str(duckdb_path()))


def endpoint() -> str:
    """What the demo's warehouse ports show as their endpoint."""
    return f"{POSTGRES_NAMESPACE}/{DATABASE}" if kind() == "postgres" else namespace()


def protocol() -> str:
    """The demo ports' protocol: PostgreSQL, or "file" for the embedded DuckDB file."""
    return "postgres" if kind() == "postgres" else "file"
