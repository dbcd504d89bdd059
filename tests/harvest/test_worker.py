"""A real Celery worker on the Redis broker runs a harvest queued by `harvest --async`, and
a worker killed mid-run leaves the catalog as it was and its run is failed by the sweep."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from apps.catalog.models import Dataset
from apps.core.testing import SYSTEM
from apps.harvest import actions
from apps.harvest.models import HarvestRun, RunStatus
from apps.harvest.runner import fail_stale_runs
from tests.harvest.pg_source import SERVER_URL, source_database

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def worker_env():
    """Environment of processes that share this test's database and a private queue on Redis."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mesh_catalog.settings",
        "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.TEST_REDIS_URL,
        "CELERY_QUEUE": f"mesh-test-harvest-{uuid.uuid4().hex[:8]}",  # other suites' workers never take our tasks
        "CONN_MAX_AGE": "0",
    }
    return env


@pytest.fixture
def worker(worker_env):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "mesh_catalog",
            "worker",
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
            "-Q",
            worker_env["CELERY_QUEUE"],
        ],
        cwd=ROOT,
        env=worker_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    yield proc
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for(predicate, timeout=60.0, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"worker exited: {proc.stdout.read().decode(errors='replace')[-3000:]}")
        time.sleep(0.2)
    raise AssertionError("timed out")


def queue_harvest(env, name: str) -> str:
    out = subprocess.run(
        [sys.executable, "manage.py", "harvest", name, "--async"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_real_worker_runs_a_harvest_end_to_end(worker, worker_env):
    with source_database() as (dsn, _, _):
        actions.create_source(SYSTEM, name="shop", kind="postgres", config={"dsn": dsn})
        out = queue_harvest(worker_env, "shop")
        assert "queued as run #" in out
        run = wait_for(
            lambda: HarvestRun.objects.filter(
                status__in=[RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED]
            ).first(),
            proc=worker,
        )
    assert run.status == RunStatus.PARTIAL, run.errors
    assert run.celery_task_id and run.attempts == 1 and run.counts["datasets_added"] == 10
    assert Dataset.objects.live().count() == 10


def test_killed_worker_leaves_catalog_unchanged_and_its_run_is_failed(worker, worker_env, settings):
    with source_database() as (dsn, dbname, _):
        source = actions.create_source(SYSTEM, name="shop", kind="postgres", config={"dsn": dsn})
        # Hold a lock on a catalog table the harvester reads, so the run is caught in the middle.
        with psycopg.connect(SERVER_URL.rsplit("/", 1)[0] + f"/{dbname}") as blocker:
            blocker.execute("lock table pg_catalog.pg_description in access exclusive mode")
            queue_harvest(worker_env, "shop")
            run = wait_for(
                lambda: HarvestRun.objects.filter(source=source, status=RunStatus.RUNNING).first(), proc=worker
            )
            os.killpg(worker.pid, signal.SIGKILL)  # the worker dies mid-run: no cleanup code runs
            worker.wait(timeout=10)
            blocker.rollback()
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING  # nobody told the database
    settings.HARVEST_STALE_AFTER_SECONDS = 0
    assert fail_stale_runs() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.errors[0]["code"] == "worker_lost"
    assert not Dataset.objects.exists()


def test_heartbeat_beats_from_its_own_connection_while_a_run_works(settings):
    from django.utils import timezone

    from apps.harvest.runner import Heartbeat

    settings.HARVEST_HEARTBEAT_SECONDS = 0.05
    source = actions.create_source(
        SYSTEM, name="shop", kind="postgres", config={"dsn": "postgresql://h@db.example/shop"}
    )
    started = timezone.now()
    run = HarvestRun.objects.create(
        source=source, triggered_by="t", status=RunStatus.RUNNING, started_at=started, heartbeat_at=started
    )
    with Heartbeat(run.pk):
        time.sleep(0.4)
    run.refresh_from_db()
    assert run.heartbeat_at > started
