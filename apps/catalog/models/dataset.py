"""Datasets (tables, views, models, topics...) and their columns and constraints."""

from django.db import models
from django.db.models import Q
from django.urls import reverse

from apps.catalog.models.choices import DatasetKind


class DatasetQuerySet(models.QuerySet):
    def live(self):
        return self.filter(removed_at__isnull=True)


class Dataset(models.Model):
    """A physical or logical dataset, identified as OpenLineage names it.

    ``namespace`` is the platform instance (``postgres://host:5432``,
    ``arn:aws:glue:eu-west-1:123456789012``), ``name`` the dataset inside it
    (``db.schema.table``, ``table/db/table``). A dbt model is the relation it materializes
    into, so dbt and PostgreSQL metadata meet on one row. Datasets are written by harvests
    (never by hand); a dataset that disappears from its source is soft-deleted
    (``removed_at``) so that history and lineage stay readable.
    """

    namespace = models.CharField(max_length=300)
    name = models.CharField(max_length=500)
    short_name = models.CharField(
        max_length=200, db_index=True, help_text="Last part of the name, e.g. the table name."
    )
    platform = models.CharField(max_length=30, db_index=True, help_text="postgres, glue, dbt, kafka, s3, ...")
    kind = models.CharField(max_length=20, choices=DatasetKind.choices, default=DatasetKind.TABLE)
    description = models.TextField(blank=True)
    owner = models.CharField(
        max_length=200, blank=True, help_text="Owner as the source reports it (role, IAM principal, dbt meta)."
    )
    row_estimate = models.BigIntegerField(null=True, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    last_modified_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the dataset disappeared from its source."
    )
    # No index of its own: ``dataset_source_live_idx`` (source, removed_at) leads with it.
    source = models.ForeignKey(
        "harvest.Source", null=True, blank=True, on_delete=models.SET_NULL, related_name="datasets", db_index=False
    )
    domain = models.ForeignKey(
        "catalog.Domain",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="datasets",
        help_text="Domain the dataset belongs to, set by a source's mapping rules or a harvested ownership hint.",
    )
    properties = models.JSONField(
        default=dict, blank=True, help_text="Source-specific facts: location, format, parameters, dbt ids, view SQL."
    )
    schema_hash = models.CharField(
        max_length=64, blank=True, help_text="Digest of the column list, to detect schema changes cheaply."
    )
    tags = models.ManyToManyField("catalog.Tag", blank=True, related_name="datasets")

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["namespace", "name"]
        constraints = [models.UniqueConstraint(fields=["namespace", "name"], name="uniq_dataset_identity")]
        indexes = [
            models.Index(fields=["source", "removed_at"], name="dataset_source_live_idx"),
            models.Index(fields=["kind"], name="dataset_kind_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:dataset_detail", args=[self.pk])

    @property
    def qualified_name(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class Column(models.Model):
    """A column of a dataset, as harvested (type, nullability, comment, key)."""

    # Integrity is kept by set-based triggers, one check per statement instead of one deferred
    # check per row at COMMIT (migration 0004, docs/decisions/0022). No index of its own:
    # (dataset, name) leads with it.
    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="columns", db_constraint=False, db_index=False
    )
    name = models.CharField(max_length=300)
    ordinal = models.PositiveIntegerField(default=0)
    data_type = models.CharField(max_length=200, blank=True)
    nullable = models.BooleanField(default=True)
    default = models.TextField(blank=True)
    description = models.TextField(blank=True)
    is_primary_key = models.BooleanField(default=False)
    is_generated = models.BooleanField(default=False)
    tags = models.JSONField(
        default=list, blank=True, help_text="Labels such as pii, email; set by harvests and governance."
    )

    class Meta:
        ordering = ["dataset_id", "ordinal", "name"]
        # The unique index finds a dataset's columns; sorting a few hundred by ordinal is cheap,
        # and a (dataset, ordinal) index cost each harvest's COPY of 100,000 columns ~0.1 s.
        constraints = [models.UniqueConstraint(fields=["dataset", "name"], name="uniq_column_per_dataset")]

    def __str__(self):
        return f"{self.dataset.name}.{self.name}"


class DatasetConstraint(models.Model):
    """A primary key, unique, foreign key or check constraint harvested from the source.

    Foreign keys point at the referenced dataset when it is in the catalog; the dataset
    page shows them as relationships and the lab joins along them.
    """

    class Kind(models.TextChoices):
        PRIMARY_KEY = "primary_key", "Primary key"
        UNIQUE = "unique", "Unique"
        FOREIGN_KEY = "foreign_key", "Foreign key"
        CHECK = "check", "Check"

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="constraints")
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    columns = models.JSONField(default=list)
    referenced_dataset = models.ForeignKey(
        Dataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="referencing_constraints"
    )
    referenced_columns = models.JSONField(default=list, blank=True)
    definition = models.TextField(blank=True)

    class Meta:
        ordering = ["dataset_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "name"], name="uniq_constraint_per_dataset"),
            models.CheckConstraint(
                condition=Q(referenced_dataset__isnull=True) | Q(kind="foreign_key"), name="only_fk_references"
            ),
        ]

    def __str__(self):
        return f"{self.dataset.name}:{self.name}"
