"""The demo warehouse (``mesh_demo_warehouse``, built by dbt from fixtures/dbt_demo).

Tests of the demo path use the real thing. When it is missing on the server, it is built
with ``scripts/dbt_build_fixture.sh`` (artifacts go to a temporary directory, not into
the repository).
"""

import subprocess
import tempfile
from pathlib import Path

import psycopg

from tests.lab.warehouse import admin_conninfo

NAME = "mesh_demo_warehouse"
REPO = Path(__file__).resolve().parents[2]


def _ready() -> bool:
    try:
        with psycopg.connect(admin_conninfo(NAME), connect_timeout=5) as conn:
            return conn.execute(
                "SELECT to_regclass('sales.orders') IS NOT NULL AND to_regclass('sales.order_items') IS NOT NULL"
            ).fetchone()[0]
    except psycopg.OperationalError:
        return False


def ensure_demo_warehouse() -> str:
    if not _ready():
        with tempfile.TemporaryDirectory() as out:
            subprocess.run([str(REPO / "scripts" / "dbt_build_fixture.sh"), out], check=True, cwd=REPO, timeout=900)
    assert _ready(), f"{NAME} could not be built"
    return NAME
