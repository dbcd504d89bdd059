"""A record of each detection run: what triggered it, what it found, what went wrong."""

from django.db import models


class DetectionRun(models.Model):
    """One run of ``detect_pii`` (after a harvest, on demand, from the command line).

    Counts and warnings only: sampled values are never written anywhere.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    trigger = models.CharField(max_length=30, default="manual", help_text="harvest, manual, command, demo")
    source_name = models.CharField(max_length=200, blank=True)
    sample = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    datasets = models.PositiveIntegerField(default=0)
    columns_checked = models.PositiveIntegerField(default=0)
    columns_sampled = models.PositiveIntegerField(default=0)
    suggestions = models.PositiveIntegerField(default=0, help_text="Suggestions written or refreshed.")
    removed = models.PositiveIntegerField(default=0, help_text="Stale suggestions removed.")
    warnings = models.JSONField(default=list)
    error = models.TextField(blank=True)
    timings = models.JSONField(default=dict)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"detection {self.pk} ({self.status})"
