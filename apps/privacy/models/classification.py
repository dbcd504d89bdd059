"""Column classifications: one row per (column, category), suggested, confirmed or rejected."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.privacy.categories import Category


class State(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


class Origin(models.TextChoices):
    DETECTED = "detected", "Detected (name, type, sampled values)"
    PROPAGATED = "propagated", "Propagated along lineage"
    DECLARED = "declared", "Declared (dbt meta/tags, ODCS classification)"
    MANUAL = "manual", "Added by an owner"


class ColumnClassification(models.Model):
    """A personal-data category (or subject identifier) on a column, and the owner's decision.

    Detection and propagation only ever write ``suggested`` rows; an owner's ``confirmed``
    or ``rejected`` decision is never overwritten by a later detection, so decisions stick
    across harvests (columns keep their row while their dataset keeps the column; renaming
    another column does not touch this one). Sampling stores counts and the matching rule,
    never a sampled value.
    """

    column = models.ForeignKey("catalog.Column", on_delete=models.CASCADE, related_name="classifications")
    category = models.CharField(max_length=20, choices=Category.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUGGESTED)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.DETECTED)
    confidence = models.FloatField(default=0.0)
    reason = models.CharField(max_length=300, blank=True, help_text="Why it was suggested (rule names, counts).")
    rule = models.CharField(max_length=60, blank=True, help_text="The validator or pattern that matched.")
    sampled = models.PositiveIntegerField(null=True, blank=True, help_text="Non-null values sampled.")
    matched = models.PositiveIntegerField(null=True, blank=True, help_text="Sampled values the rule accepted.")
    propagated_from = models.ForeignKey(
        "catalog.Column", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    weak = models.BooleanField(default=False, help_text="Propagated along table lineage only (no column lineage).")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history_fields = ("category", "state", "origin", "confidence", "reason", "rule", "weak")

    class Meta:
        ordering = ["column_id", "category"]
        constraints = [
            models.UniqueConstraint(fields=["column", "category"], name="uniq_classification_per_column"),
            models.CheckConstraint(condition=Q(confidence__gte=0) & Q(confidence__lte=1), name="confidence_0_1"),
        ]
        indexes = [
            models.Index(fields=["category", "state"], name="classif_category_state_idx"),
            models.Index(fields=["state", "origin"], name="classif_state_origin_idx"),
        ]

    def __str__(self):
        return f"{self.column_id}:{self.category} ({self.state})"

    def history_snapshot(self) -> dict:
        return {name: getattr(self, name) for name in self.history_fields} | {"column": self.column_id}

    def history_parent(self):
        return self.column.dataset

    @property
    def is_active(self) -> bool:
        return self.state != State.REJECTED


class AnonymisedColumn(models.Model):
    """An owner says: this column is anonymised (hashed, aggregated…); personal data stops here.

    Propagation does not flow into (or through) a marked column. A marker on a dataset
    (``column`` empty) stops table-lineage propagation into that dataset.
    """

    class Method(models.TextChoices):
        HASH = "hash", "Hashed (salted)"
        AGGREGATE = "aggregate", "Aggregated"
        MASK = "mask", "Masked / truncated"
        PSEUDONYMISE = "pseudonymise", "Pseudonymised with a key held elsewhere"
        OTHER = "other", "Other"

    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.CASCADE, related_name="anonymised_markers")
    column = models.ForeignKey(
        "catalog.Column", null=True, blank=True, on_delete=models.CASCADE, related_name="anonymised_markers"
    )
    method = models.CharField(max_length=14, choices=Method.choices)
    comment = models.CharField(max_length=500, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dataset", "column"], name="uniq_anonymised_marker")]

    def __str__(self):
        return f"{self.dataset_id}.{self.column_id or '*'} ({self.method})"

    def history_snapshot(self) -> dict:
        return {"dataset": self.dataset_id, "column": self.column_id, "method": self.method, "comment": self.comment}

    def history_parent(self):
        return self.dataset
