"""The life of a harvest run: claim, heartbeat, extract, reconcile, record the outcome.

A run's row is the truth about it. A worker that dies mid-run leaves its row "running"
with a heartbeat that stops; ``fail_stale_runs`` (called before every trigger and by a
periodic task) marks such rows failed. The catalog itself is safe either way: reconcile
writes in one transaction, which the database rolls back when the worker's connection dies.
"""

import gc
import logging
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.core.hooks import objects_changed
from apps.harvest.events import emit_harvest_failed
from apps.harvest.harvesters.base import ConfigError, Harvester, SourceError, TransientSourceError, harvester_registry
from apps.harvest.models import HarvestRun, RunStatus
from apps.harvest.pipeline import FailSafeError, RunReport, known_source_digests, reconcile

logger = logging.getLogger(__name__)


def stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "HARVEST_STALE_AFTER_SECONDS", 120))


def heartbeat_every() -> float:
    return float(getattr(settings, "HARVEST_HEARTBEAT_SECONDS", 15))


def build_harvester(source) -> Harvester:
    cls = harvester_registry.get_or_error(source.kind)
    return cls(source.name, cls.validate_config(source.config), source.secrets or {})


def redact(message: str, secrets: dict) -> str:
    """Never let a secret reach a report, a log or an error message."""
    for value in (secrets or {}).values():
        if isinstance(value, str) and len(value) >= 3:
            message = message.replace(value, "***")
    return message


# --- claiming and sweeping -------------------------------------------------------------


def claim_run(run_id: int) -> HarvestRun | None:
    """Move a queued run to running, or take over one whose worker died; None if not ours."""
    now = timezone.now()
    fields = {"status": RunStatus.RUNNING, "heartbeat_at": now, "attempts": F("attempts") + 1}
    claimed = HarvestRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(started_at=now, **fields)
    if not claimed:
        # acks_late redelivers the task of a worker that died; resume if nobody is alive on it.
        claimed = HarvestRun.objects.filter(
            pk=run_id, status=RunStatus.RUNNING, heartbeat_at__lt=now - stale_after()
        ).update(**fields)
    return HarvestRun.objects.select_related("source").get(pk=run_id) if claimed else None


def fail_runs_of_restarted_worker(hostname: str) -> int:
    """A worker that just started runs nothing yet: its RUNNING runs died with its previous process.

    Called from Celery's ``worker_ready``, so a killed run is failed the moment its worker
    comes back instead of after ``HARVEST_STALE_AFTER_SECONDS`` (the beat sweep still
    catches workers that never come back). Runs claimed by other workers are untouched.
    """
    if not hostname:
        return 0
    n = HarvestRun.objects.filter(status=RunStatus.RUNNING, worker=hostname).update(
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        errors=[
            {
                "code": "worker_restarted",
                "message": f"The worker {hostname} restarted while this run was in progress; the run was abandoned "
                "and the catalog left as it was.",
                "subject": "",
                "count": 1,
            }
        ],
    )
    if n:
        logger.warning("worker %s restarted: marked %d of its harvest run(s) failed", hostname, n)
    return n


def fail_stale_runs() -> int:
    """Mark failed the runs whose worker stopped beating, and queued runs nobody picked up."""
    now = timezone.now()
    cutoff = now - stale_after()
    queued_cutoff = now - timedelta(seconds=getattr(settings, "HARVEST_QUEUED_TIMEOUT_SECONDS", 3600))
    stale = HarvestRun.objects.filter(
        Q(status=RunStatus.RUNNING) & (Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff))
    )
    n = stale.update(
        status=RunStatus.FAILED,
        finished_at=now,
        errors=[
            {
                "code": "worker_lost",
                "message": f"The worker stopped reporting progress (no heartbeat for {int(stale_after().total_seconds())} s); the run was abandoned and the catalog left as it was.",
                "subject": "",
                "count": 1,
            }
        ],
    )
    n += HarvestRun.objects.filter(status=RunStatus.QUEUED, queued_at__lt=queued_cutoff).update(
        status=RunStatus.FAILED,
        finished_at=now,
        errors=[
            {
                "code": "never_started",
                "message": "No worker picked this run up; is a Celery worker running?",
                "subject": "",
                "count": 1,
            }
        ],
    )
    if n:
        logger.warning("marked %d stale harvest run(s) failed", n)
    return n


class Heartbeat:
    """Touches the run's ``heartbeat_at`` from its own thread (and connection) while it works."""

    def __init__(self, run_id: int):
        self.run_id = run_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"harvest-heartbeat-{run_id}", daemon=True)

    def _beat(self):
        try:
            while not self._stop.wait(heartbeat_every()):
                HarvestRun.objects.filter(pk=self.run_id, status=RunStatus.RUNNING).update(heartbeat_at=timezone.now())
        except Exception:  # a missed beat must never kill the run
            logger.exception("heartbeat of harvest run %s failed", self.run_id)
        finally:
            connection.close()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)


# --- running ---------------------------------------------------------------------------


@contextmanager
def paused_gc():
    """Pause the cyclic garbage collector while a run builds its records.

    A run allocates hundreds of thousands of small acyclic objects (rows, records); the
    collector's full passes over them cost more than the harvest itself. Reference counting
    still frees them all when the run ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def execute_run(run: HarvestRun, *, allow_removals: bool = False, final_attempt: bool = True) -> HarvestRun:
    """Run a claimed (running) harvest to its end and record the outcome on its row.

    With ``final_attempt`` False a transient source error puts the run back in the queue
    and re-raises, so that the Celery task retries it with backoff.
    """
    source = run.source
    report = RunReport()
    status = RunStatus.FAILED
    harvester = None
    with Heartbeat(run.pk):
        try:
            harvester = build_harvester(source)
            harvester.known_digests = known_source_digests(source)
            with paused_gc():
                with report.phase("extract"):
                    records = list(harvester.extract())
                report.set("source_queries", harvester.queries_sent)
                reconcile(source, records, run, allow_removals=allow_removals, report=report)
                partial = any(getattr(r, "partial", False) for r in records if type(r).__name__ == "HarvestWarning")
                # Freed here by reference counting, while the collector still sleeps: left alive
                # through finish_run, the run's hundreds of thousands of records would be
                # traversed by the collector's first passes once it wakes.
                del records
            status = RunStatus.PARTIAL if partial or report.errors else RunStatus.SUCCEEDED
        except TransientSourceError as exc:
            message = redact(str(exc), source.secrets)
            if not final_attempt:
                _requeue(run, f"Attempt {run.attempts} could not reach the source ({exc.stage}): {message}. Retrying.")
                raise
            report.error(exc.stage, message)
        except SourceError as exc:
            report.error(exc.stage, redact(str(exc), source.secrets))
        except ConfigError as exc:
            report.error("invalid_config", str(exc))
        except FailSafeError as exc:
            report.error("fail_safe", str(exc))
        except Exception as exc:  # recorded on the row: a run never ends silently
            logger.exception("harvest run %s failed", run.pk)
            report.error("internal_error", redact(f"{type(exc).__name__}: {exc}", source.secrets))
        finally:
            if harvester is not None:
                report.set("source_queries", harvester.queries_sent)
    return finish_run(run, status, report)


def finish_run(run: HarvestRun, status: str, report: RunReport) -> HarvestRun:
    now = timezone.now()
    warnings = [*run.warnings, *report.bounded_warnings()] if run.warnings else report.bounded_warnings()
    with transaction.atomic():
        _record_outcome(run, status, report, now, warnings)
        if status == RunStatus.FAILED:
            emit_harvest_failed(run, report.bounded_errors())
    run.refresh_from_db()
    return run


def _record_outcome(run: HarvestRun, status: str, report: RunReport, now, warnings) -> None:
    HarvestRun.objects.filter(pk=run.pk).update(
        status=status,
        finished_at=now,
        heartbeat_at=now,
        counts=report.counts,
        timings=report.timings,
        warnings=warnings,
        errors=report.bounded_errors(),
    )
    run.refresh_from_db()
    objects_changed(HarvestRun, [run.pk])  # listeners (trust's incidents) hear of every finished run
    return run


def _requeue(run: HarvestRun, message: str) -> None:
    warnings = [*run.warnings, {"code": "retrying", "message": message, "subject": "", "count": 1}][-50:]
    HarvestRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED, warnings=warnings, heartbeat_at=None)


def run_report_lines(run: HarvestRun) -> list[str]:
    """A human-readable report of a finished run (the ``harvest`` command prints it)."""
    lines = [f"Harvest of '{run.source.name}' #{run.pk}: {run.status}"]
    if run.started_at and run.finished_at:
        lines.append(
            f"  time: {(run.finished_at - run.started_at).total_seconds():.2f} s  "
            + "  ".join(f"{k}={v:.2f}s" for k, v in sorted(run.timings.items()))
        )
    for key in sorted(run.counts):
        lines.append(f"  {key}: {run.counts[key]}")
    for label, items in (("warning", run.warnings), ("error", run.errors)):
        for item in items:
            times = f" (×{item['count']})" if item.get("count", 1) > 1 else ""
            subject = f" [{item['subject']}]" if item.get("subject") else ""
            lines.append(f"  {label} {item['code']}{subject}: {item['message']}{times}")
    return lines
