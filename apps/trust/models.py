"""Maturity scores (current and their history), incidents and measured dataset changes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from apps.core.models import ChangeLoggedModel


class ProductMaturity(models.Model):
    """The current score of a product: what pages, APIs and the leaderboard read.

    One row per product, replaced by each recompute that changes it. The explanation
    (``criteria``: pass/fail, points, evidence, fix per criterion) lives here; the trend
    lives in ``MaturityScore``, which is only ever appended to.
    """

    product = models.OneToOneField("catalog.DataProduct", on_delete=models.CASCADE, related_name="maturity")
    score = models.FloatField()
    level = models.PositiveSmallIntegerField()
    principles = models.JSONField(default=dict, help_text="{principle: score 0–100}")
    criteria = models.JSONField(default=dict, help_text="{criterion id: {passed, points, evidence, ...}}")
    weakest = models.CharField(max_length=30, blank=True)
    rubric_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, help_text="Of the content: unchanged digest, nothing to write.")
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["-score"], name="maturity_score_idx"),
            models.Index(fields=["level"], name="maturity_level_idx"),
        ]

    def __str__(self):
        return f"{self.product_id}: {self.score} (level {self.level})"


class MaturityScore(models.Model):
    """One point of a product's trend, written only when its score, level or principles change."""

    product = models.ForeignKey("catalog.DataProduct", on_delete=models.CASCADE, related_name="maturity_history")
    score = models.FloatField()
    level = models.PositiveSmallIntegerField()
    principles = models.JSONField(default=dict)
    rubric_digest = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["product_id", "recorded_at", "id"]
        indexes = [models.Index(fields=["product", "-recorded_at"], name="maturity_history_idx")]

    def __str__(self):
        return f"{self.product_id} {self.score} @ {self.recorded_at}"


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"


class IncidentCause(models.TextChoices):
    MANUAL = "manual", "Opened by an owner"
    CHECK = "check", "Failing quality check"
    HARVEST = "harvest", "Failed harvest of the product's source"
    CONTRACT = "contract", "Violated contract"


class Incident(ChangeLoggedModel):
    """Something wrong with a product that consumers should know about.

    Automatic incidents carry a ``cause_key`` (``check:<id>``, ``harvest:<source id>``) so
    that the same cause never opens a second incident while one is open, and so that they
    resolve themselves when the cause clears. Manual ones are resolved by owners.
    """

    product = models.ForeignKey("catalog.DataProduct", on_delete=models.CASCADE, related_name="incidents")
    title = models.CharField(max_length=200)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MAJOR)
    cause = models.CharField(max_length=10, choices=IncidentCause.choices, default=IncidentCause.MANUAL)
    cause_key = models.CharField(max_length=100, blank=True)
    opened_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history_fields = ("product", "title", "severity", "cause", "cause_key", "opened_at", "resolved_at")

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["product", "resolved_at"], name="incident_product_open_idx"),
            models.Index(fields=["cause_key"], name="incident_cause_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "cause_key"],
                condition=Q(resolved_at__isnull=True) & ~Q(cause_key=""),
                name="uniq_open_incident_per_cause",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=models.F("opened_at")),
                name="incident_resolved_after_opened",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def history_parent(self):
        return self.product

    def get_absolute_url(self):
        return reverse("trust:incident_detail", args=[self.pk])


class IncidentUpdate(models.Model):
    """One entry of an incident's timeline: opened, a note, a severity change, resolved."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    time = models.DateTimeField()
    kind = models.CharField(max_length=12, help_text="opened, note, severity, resolved, reopened")
    message = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["time", "id"]

    def __str__(self):
        return f"{self.incident_id} {self.kind} @ {self.time}"


class DatasetChange(models.Model):
    """When a dataset last changed, measured (not reported by an owner).

    ``counter`` keeps PostgreSQL's tuple-change counter (``pg_stat_user_tables``
    inserts + updates + deletes) as of the last harvest, so the next harvest can tell
    whether the table changed in between.
    """

    dataset = models.OneToOneField("catalog.Dataset", on_delete=models.CASCADE, related_name="measured_change")
    changed_at = models.DateTimeField(null=True, blank=True, help_text="None until a change was measured.")
    evidence = models.CharField(max_length=20, help_text="pg_stat, openlineage, source")
    counter = models.BigIntegerField(null=True, blank=True)

    def __str__(self):
        return f"{self.dataset_id} changed {self.changed_at} ({self.evidence})"
