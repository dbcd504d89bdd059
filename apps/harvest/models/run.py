"""One harvest of one source: its status, timings, counts and report."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    PARTIAL = "partial", "Partial"


class HarvestRun(models.Model):
    """The record of a harvest run; the task writes its outcome here, not only in logs.

    At most one run per source is queued or running at a time (a partial unique index).
    """

    source = models.ForeignKey("harvest.Source", on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED, db_index=True)
    triggered_by = models.CharField(max_length=150, help_text="Username, 'schedule', 'cli', 'api'.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    timings = models.JSONField(default=dict, blank=True, help_text="Seconds per phase: extract, reconcile, index.")
    counts = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    celery_task_id = models.CharField(max_length=100, blank=True)
    worker = models.CharField(
        max_length=200, blank=True, default="", help_text="Hostname of the Celery worker that claimed the run."
    )
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times a worker started this run (retries of transient errors)."
    )

    class Meta:
        ordering = ["-queued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source"],
                condition=Q(status__in=["queued", "running"]),
                name="one_active_run_per_source",
                violation_error_message="A harvest of this source is already queued or running.",
            )
        ]

    def __str__(self):
        return f"{self.source} #{self.pk} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)
