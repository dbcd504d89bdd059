"""Automated quality checks (dbt tests, freshness) and their results over time."""

from django.db import models

from apps.catalog.models.choices import QualityCategory, QualityStatus


class QualityCheck(models.Model):
    """A check on a dataset or one of its columns, e.g. a dbt ``not_null`` test."""

    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.CASCADE, related_name="quality_checks")
    column_name = models.CharField(max_length=300, blank=True)
    key = models.CharField(max_length=500, help_text="Stable id at the source, e.g. the dbt unique_id.")
    name = models.CharField(max_length=300)
    check_type = models.CharField(max_length=100, help_text="not_null, unique, relationships, freshness, ...")
    category = models.CharField(max_length=15, choices=QualityCategory.choices, default=QualityCategory.OTHER)
    source = models.ForeignKey(
        "harvest.Source", null=True, blank=True, on_delete=models.CASCADE, related_name="quality_checks"
    )
    definition = models.JSONField(default=dict, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dataset_id", "column_name", "name"]
        constraints = [models.UniqueConstraint(fields=["dataset", "key"], name="uniq_quality_check")]

    def __str__(self):
        return self.name


class QualityResult(models.Model):
    """One outcome of a check. Results are appended, never overwritten."""

    quality_check = models.ForeignKey(QualityCheck, on_delete=models.CASCADE, related_name="results")
    status = models.CharField(max_length=8, choices=QualityStatus.choices)
    observed_at = models.DateTimeField(db_index=True)
    run_key = models.CharField(max_length=200, help_text="Identity of the run, e.g. the dbt invocation_id.")
    failures = models.BigIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-observed_at"]
        constraints = [models.UniqueConstraint(fields=["quality_check", "run_key"], name="uniq_quality_result_per_run")]
        indexes = [models.Index(fields=["quality_check", "-observed_at"], name="quality_result_latest_idx")]

    def __str__(self):
        return f"{self.quality_check_id} {self.status} @ {self.observed_at}"
