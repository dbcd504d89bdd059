"""Real dbt artifacts for the dbt harvester's tests.

``dbt_artifacts`` runs ``scripts/dbt_build_fixture.sh`` once per test session: it builds the
project in ``fixtures/dbt_demo`` with dbt-core 1.11 against the local PostgreSQL (a
warehouse database named after the test database, so that neither the demo warehouse nor
another test session's is touched) and
copies the artifacts into a temporary directory. The script creates ``.venv-dbt`` from
``requirements-dbt.txt`` on first use (PyPI needed once, ~30 s).
"""

import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parents[3]
BUILD_SCRIPT = REPO / "scripts" / "dbt_build_fixture.sh"
COMMITTED = REPO / "fixtures" / "dbt_artifacts"
WAREHOUSE_DB = "test_{}_dbt_warehouse".format(
    urlparse(os.environ.get("MESH_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/mesh_catalog")).path.lstrip(
        "/"
    )
    or "mesh_catalog"
)
NAMESPACE = "postgres://127.0.0.1:5432"


@pytest.fixture(scope="session")
def dbt_artifacts(tmp_path_factory) -> Path:
    """Directory with manifest/catalog/run_results/sources.json of a fresh real dbt build."""
    out = tmp_path_factory.mktemp("dbt_artifacts")
    env = {**os.environ, "DBT_DEMO_DB": WAREHOUSE_DB}
    result = subprocess.run(
        ["bash", str(BUILD_SCRIPT), str(out)], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        pytest.fail(
            f"dbt build of fixtures/dbt_demo failed (exit {result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return out


@pytest.fixture
def artifacts_copy(dbt_artifacts, tmp_path) -> Path:
    """A private copy of the real artifacts that a test may damage."""
    target = tmp_path / "artifacts"
    shutil.copytree(dbt_artifacts, target)
    return target


@pytest.fixture(autouse=True)
def _private_lineage_cache(settings, tmp_path):
    settings.HARVEST_CACHE_DIR = tmp_path / "harvest-cache"


def dbt_config(path: Path, **extra) -> dict:
    return {"path": str(path), "warehouse_namespace": NAMESPACE, **extra}
