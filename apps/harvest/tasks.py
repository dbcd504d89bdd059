"""Celery tasks: run a harvest, and sweep runs whose worker died."""

import random

from celery import shared_task
from celery.signals import worker_ready
from django.db import IntegrityError

from apps.harvest.harvesters.base import TransientSourceError
from apps.harvest.models import HarvestRun, Source
from apps.harvest.runner import claim_run, execute_run, fail_runs_of_restarted_worker, fail_stale_runs

MAX_RETRIES = 3


def backoff(retries: int) -> float:
    """Seconds before the next attempt: 10, 20, 40... capped at 5 minutes, with jitter."""
    return min(300.0, 10.0 * 2**retries) * random.uniform(0.8, 1.2)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    name="apps.harvest.tasks.run_harvest",
)
def run_harvest(
    self,
    run_id: int | None = None,
    source_id: int | None = None,
    triggered_by: str = "schedule",
    allow_removals: bool = False,
):
    """Run harvest ``run_id`` (or a new one of ``source_id``, for Celery beat).

    Idempotent: a run that is already finished or being worked on by a live worker is left
    alone, so a redelivered message never runs a harvest twice at once.
    """
    fail_stale_runs()
    if run_id is None:
        source = Source.objects.filter(pk=source_id, enabled=True).first()
        if source is None:
            return {"skipped": "source missing or disabled"}
        try:
            run_id = HarvestRun.objects.create(
                source=source, triggered_by=triggered_by, celery_task_id=self.request.id or ""
            ).pk
        except IntegrityError:
            return {"skipped": "a harvest of this source is already active"}
    run = claim_run(run_id)
    if run is None:
        return {"skipped": f"run {run_id} is not waiting for a worker"}
    HarvestRun.objects.filter(pk=run.pk).update(worker=self.request.hostname or "")
    try:
        run = execute_run(run, allow_removals=allow_removals, final_attempt=self.request.retries >= self.max_retries)
    except TransientSourceError as exc:
        raise self.retry(
            exc=exc,
            countdown=backoff(self.request.retries),
            kwargs={"run_id": run_id, "allow_removals": allow_removals},
        ) from exc
    return {"run_id": run.pk, "status": run.status}


@worker_ready.connect
def fail_runs_left_by_this_worker(sender=None, **kwargs):
    """On start, fail the runs this worker's previous process was running when it died."""
    hostname = getattr(sender, "hostname", "") or ""
    try:
        fail_runs_of_restarted_worker(hostname)
    finally:
        from django.db import connection

        connection.close()  # the worker's own connection; tasks open theirs


@shared_task(name="apps.harvest.tasks.sweep_stale_runs")
def sweep_stale_runs():
    """Periodic safety net: fail runs whose worker stopped beating (see ``runner.fail_stale_runs``)."""
    return fail_stale_runs()
