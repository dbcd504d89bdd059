"""Every OpenLineage event the catalog accepted, unique by (run id, event type)."""

from django.conf import settings
from django.db import models


class LineageEvent(models.Model):
    """One accepted RunEvent. A second post of the same run id and event type is a no-op."""

    run_id = models.CharField(max_length=64)
    event_type = models.CharField(max_length=10)
    event_time = models.DateTimeField()
    job_namespace = models.CharField(max_length=300)
    job_name = models.CharField(max_length=500)
    producer = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.JSONField(
        default=dict, blank=True, help_text="What the event wrote: datasets, edges, skipped items."
    )
    payload = models.JSONField(help_text="The event as received.")

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["run_id", "event_type"], name="uniq_lineage_event_run_type")]
        indexes = [models.Index(fields=["job_namespace", "job_name"], name="lineage_event_job_idx")]

    def __str__(self):
        return f"{self.job_namespace}/{self.job_name} {self.run_id} {self.event_type}"
