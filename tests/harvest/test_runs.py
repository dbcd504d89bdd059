"""The run lifecycle: one active run per source, stale runs, retries, the Celery task."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.catalog.models import Dataset
from apps.core.errors import ConflictError
from apps.core.testing import SYSTEM
from apps.harvest import actions
from apps.harvest.models import HarvestRun, RunStatus
from apps.harvest.runner import claim_run
from apps.harvest.tasks import run_harvest, sweep_stale_runs
from tests.harvest.pg_source import source_database

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    with source_database() as (dsn, _, _):
        yield actions.create_source(SYSTEM, name="shop", kind="postgres", config={"dsn": dsn})


def test_second_trigger_while_a_run_is_active_is_refused(source):
    HarvestRun.objects.create(
        source=source,
        triggered_by="someone",
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    with pytest.raises(ConflictError) as exc_info:
        actions.trigger_harvest(SYSTEM, source, run_async=False)
    assert exc_info.value.errors[0][1] == "already_running"
    assert HarvestRun.objects.count() == 1 and not Dataset.objects.exists()


def test_a_run_whose_worker_stopped_beating_is_failed_by_the_next_trigger(source):
    long_ago = timezone.now() - timedelta(minutes=10)
    stuck = HarvestRun.objects.create(
        source=source, triggered_by="schedule", status=RunStatus.RUNNING, started_at=long_ago, heartbeat_at=long_ago
    )
    run = actions.trigger_harvest(SYSTEM, source, run_async=False)
    stuck.refresh_from_db()
    assert stuck.status == RunStatus.FAILED and stuck.errors[0]["code"] == "worker_lost" and stuck.finished_at
    assert run.status == RunStatus.PARTIAL and Dataset.objects.count() == 10


def test_sweep_task_fails_stale_and_never_started_runs_but_not_live_ones(source, settings):
    settings.HARVEST_QUEUED_TIMEOUT_SECONDS = 60
    old = timezone.now() - timedelta(hours=2)
    stale = HarvestRun.objects.create(
        source=source, triggered_by="t", status=RunStatus.RUNNING, started_at=old, heartbeat_at=old
    )
    assert sweep_stale_runs() == 1
    queued = HarvestRun.objects.create(source=source, triggered_by="t")
    HarvestRun.objects.filter(pk=queued.pk).update(queued_at=old)
    assert sweep_stale_runs.delay().get() == 1
    live = HarvestRun.objects.create(
        source=source,
        triggered_by="t",
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    assert sweep_stale_runs() == 0
    assert [HarvestRun.objects.get(pk=r.pk).status for r in (stale, queued, live)] == ["failed", "failed", "running"]


def test_redelivered_task_resumes_a_dead_workers_run_but_never_a_live_or_finished_one(source):
    old = timezone.now() - timedelta(minutes=10)
    dead = HarvestRun.objects.create(
        source=source, triggered_by="t", status=RunStatus.RUNNING, started_at=old, heartbeat_at=old, attempts=1
    )
    assert claim_run(dead.pk).attempts == 2
    assert claim_run(dead.pk) is None  # now beating again: a second delivery must not run it twice
    HarvestRun.objects.filter(pk=dead.pk).update(status=RunStatus.SUCCEEDED)
    assert run_harvest.delay(run_id=dead.pk).get() == {"skipped": f"run {dead.pk} is not waiting for a worker"}


def test_task_runs_a_queued_harvest_and_is_idempotent(source, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = actions.trigger_harvest(SYSTEM, source, triggered_by="api")
    run.refresh_from_db()
    assert run.status == RunStatus.PARTIAL and run.attempts == 1 and run.celery_task_id
    assert run.timings["extract"] > 0 and "reconcile.datasets" in run.timings and run.counts["datasets_added"] == 10
    assert run_harvest.delay(run_id=run.pk).get()["skipped"]  # delivering it again does nothing


def test_scheduled_task_creates_its_own_run(source):
    result = run_harvest.delay(source_id=source.pk).get()
    run = HarvestRun.objects.get(pk=result["run_id"])
    assert (run.triggered_by, run.status) == ("schedule", RunStatus.PARTIAL)


def test_transient_errors_are_retried_then_recorded(source):
    source = actions.update_source(
        SYSTEM, source, config={**source.config, "dsn": source.config["dsn"].replace(":5432/", ":1/")}
    )
    run = HarvestRun.objects.create(source=source, triggered_by="t")
    conf = run_harvest.app.conf
    propagates = conf.task_eager_propagates
    conf.task_eager_propagates = False  # in-process, Celery only replays a retry when it does not propagate it
    try:
        run_harvest.apply(kwargs={"run_id": run.pk})
    finally:
        conf.task_eager_propagates = propagates
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.attempts == 4
    assert [w["code"] for w in run.warnings].count("retrying") == 3
    assert run.errors[0]["code"] == "refused"


def test_unreachable_broker_fails_the_run_instead_of_leaving_it_queued(
    source, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(run_harvest, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        run = actions.trigger_harvest(SYSTEM, source)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.errors[0]["code"] == "broker_unreachable"
    monkeypatch.undo()
    assert (
        actions.trigger_harvest(SYSTEM, source, run_async=False).status == RunStatus.PARTIAL
    )  # nothing blocks the next run
