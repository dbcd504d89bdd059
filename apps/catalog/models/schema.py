"""Schema versions of datasets and the changes between them (append-only)."""

from django.db import models

from apps.catalog.models.choices import SchemaChangeType


class SchemaVersion(models.Model):
    """The column list of a dataset as of one harvest; a new row only when it changed."""

    # ``uniq_schema_version`` (dataset, version) is the dataset's index; no second one.
    dataset = models.ForeignKey(
        "catalog.Dataset", on_delete=models.CASCADE, related_name="schema_versions", db_index=False
    )
    version = models.PositiveIntegerField()
    schema_hash = models.CharField(max_length=64)
    columns = models.JSONField(help_text="[{name, type, nullable, ordinal}] at this version")
    harvest_run = models.ForeignKey(
        "harvest.HarvestRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="schema_versions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dataset_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["dataset", "version"], name="uniq_schema_version")]

    def __str__(self):
        return f"{self.dataset_id} v{self.version}"


class SchemaChange(models.Model):
    """One change between two schema versions, classified breaking or not.

    A change is breaking when it can break a downstream reader: a column removed, its type
    changed, or a NOT NULL column becoming nullable. Added columns are not breaking.
    """

    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.CASCADE, related_name="schema_changes")
    schema_version = models.ForeignKey(
        SchemaVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="changes"
    )
    change_type = models.CharField(max_length=20, choices=SchemaChangeType.choices)
    column_name = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    is_breaking = models.BooleanField(default=False, db_index=True)
    detected_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-detected_at", "id"]

    def __str__(self):
        return f"{self.get_change_type_display()} {self.column_name}".strip()
