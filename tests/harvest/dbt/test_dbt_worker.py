"""A dbt project large enough to parse SQL on a process pool, harvested by a real prefork Celery worker."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from apps.catalog.models import ColumnLineageEdge
from apps.core.testing import SYSTEM
from apps.harvest import actions
from apps.harvest.harvesters.sql.lineage import POOL_THRESHOLD
from apps.harvest.models import HarvestRun
from bench.dbt_bench import generate

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def prefork_worker(tmp_path):
    """A worker with the production pool (prefork), on a private queue of the test Redis."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mesh_catalog.settings",
        "CONN_MAX_AGE": "0",
        "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.TEST_REDIS_URL,
        "CELERY_QUEUE": f"mesh-test-dbt-{uuid.uuid4().hex[:8]}",
        "MESH_DATA_DIR": str(tmp_path / "worker-data"),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "mesh_catalog",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
            "-Q",
            env["CELERY_QUEUE"],
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    yield env, proc
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def stop(proc) -> str:
    proc.terminate()
    output, _ = proc.communicate(timeout=30)
    return output.decode(errors="replace")


def test_prefork_worker_parses_a_large_project_on_its_own_pool(prefork_worker, tmp_path):
    env, proc = prefork_worker
    models = POOL_THRESHOLD + 50
    generate(models, 10, tmp_path / "artifacts")
    actions.create_source(
        SYSTEM,
        name="big-dbt",
        kind="dbt",
        config={"path": str(tmp_path / "artifacts"), "warehouse_namespace": "postgres://big:5432"},
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "harvest", "big-dbt", "--async"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        run = HarvestRun.objects.get(source__name="big-dbt")
        if run.status not in ("queued", "running"):
            break
        assert proc.poll() is None, proc.stdout.read().decode(errors="replace")[-3000:]
        time.sleep(0.5)
    assert run.status == "succeeded", (run.status, run.errors)
    assert run.counts["records_datasets"] == models + 50  # models and the 50 sources
    assert (
        ColumnLineageEdge.objects.filter(source__name="big-dbt").count()
        == run.counts["column_lineage_edges"]
        > models * 5
    )
    assert "no process pool" not in stop(proc)  # the SQL really was parsed on a pool inside the worker
