"""Issue 12, item 9: a restarted worker fails the runs its previous process left "running".

Before, a worker killed mid-run left its run RUNNING until the beat sweep (or the next
trigger) noticed the missing heartbeat. Now the run records the worker's hostname and a
real Celery worker, on ``worker_ready``, fails its own leftovers at once — and leaves
another worker's live run alone.
"""

import os
import signal
import subprocess
import sys
import uuid

import pytest
from django.utils import timezone

from apps.core.testing import SYSTEM
from apps.harvest import actions
from apps.harvest.models import HarvestRun, RunStatus
from tests.harvest.test_worker import ROOT, wait_for, worker_env  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def start_worker(env, hostname: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mesh_catalog", "worker", "--pool", "solo", "-n", hostname,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning", "-Q", env["CELERY_QUEUE"]],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_restarted_worker_fails_its_own_leftover_run_at_start(worker_env):  # noqa: F811
    hostname = f"mesh-test-{uuid.uuid4().hex[:8]}@localhost"
    now = timezone.now()
    mine_source = actions.create_source(SYSTEM, name="mine", kind="postgres", config={"dsn": "postgresql://h/db"})
    other_source = actions.create_source(SYSTEM, name="other", kind="postgres", config={"dsn": "postgresql://h/db"})
    # What a SIGKILLed worker leaves behind: RUNNING, a fresh heartbeat, its hostname.
    mine = HarvestRun.objects.create(
        source=mine_source,
        triggered_by="t",
        status=RunStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        worker=hostname,
    )
    other = HarvestRun.objects.create(
        source=other_source,
        triggered_by="t",
        status=RunStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        worker="another-worker@elsewhere",
    )
    proc = start_worker(worker_env, hostname)
    try:
        wait_for(lambda: HarvestRun.objects.get(pk=mine.pk).status == RunStatus.FAILED, timeout=60, proc=proc)
    finally:
        stop(proc)
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.errors[0]["code"] == "worker_restarted" and hostname in mine.errors[0]["message"]
    assert other.status == RunStatus.RUNNING  # a live run of another worker is not touched


def test_a_claimed_run_records_its_worker(worker_env):  # noqa: F811
    from tests.harvest.pg_source import source_database
    from tests.harvest.test_worker import queue_harvest

    hostname = f"mesh-test-{uuid.uuid4().hex[:8]}@localhost"
    proc = start_worker(worker_env, hostname)
    try:
        with source_database() as (dsn, _, _):
            actions.create_source(SYSTEM, name="shop", kind="postgres", config={"dsn": dsn})
            queue_harvest(worker_env, "shop")
            run = wait_for(
                lambda: HarvestRun.objects.filter(status__in=[RunStatus.SUCCEEDED, RunStatus.PARTIAL]).first(),
                timeout=120,
                proc=proc,
            )
    finally:
        stop(proc)
    assert run.worker == hostname
