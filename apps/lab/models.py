"""Sample queries shown on output ports, and the log of every query run in the lab."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import ChangeLoggedModel


class QueryOrigin(models.TextChoices):
    CURATED = "curated", "Curated by owners"
    DBT = "dbt", "From dbt meta.queries"
    GENERATED = "generated", "Generated starter"


class SampleQuery(ChangeLoggedModel):
    """A named query a newcomer can run as-is: curated on a port, or imported from dbt.

    Curated queries belong to a port (and optionally name the dataset they are about);
    dbt queries belong to a dataset and show on every output port exposing it. Generated
    starter queries are computed on the fly and never stored.
    """

    port = models.ForeignKey(
        "catalog.Port", null=True, blank=True, on_delete=models.CASCADE, related_name="sample_queries"
    )
    dataset = models.ForeignKey(
        "catalog.Dataset", null=True, blank=True, on_delete=models.CASCADE, related_name="sample_queries"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    sql = models.TextField()
    origin = models.CharField(max_length=10, choices=QueryOrigin.choices, default=QueryOrigin.CURATED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history_fields = ("port", "dataset", "title", "description", "sql", "origin")

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["port", "origin"], name="samplequery_port_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(port__isnull=False) | Q(dataset__isnull=False),
                name="samplequery_has_port_or_dataset",
                violation_error_message="A sample query belongs to a port or a dataset.",
            ),
            models.UniqueConstraint(
                fields=["dataset", "title"], condition=Q(origin="dbt"), name="uniq_dbt_sample_query"
            ),
        ]

    def __str__(self):
        return self.title

    def history_parent(self):
        return self.port.product if self.port_id else None


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    REFUSED = "refused", "Refused"
    CANCELLED = "cancelled", "Cancelled"


class QueryRun(models.Model):
    """One query run in the lab: who, where, what, how long, how many rows, what went wrong.

    Written before the query starts (so a cancel request can find the backend pid by
    ``token``) and completed when it ends; feeds "most used" and search popularity.
    """

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="query_runs")
    product = models.ForeignKey("catalog.DataProduct", null=True, on_delete=models.SET_NULL, related_name="query_runs")
    port = models.ForeignKey("catalog.Port", null=True, on_delete=models.SET_NULL, related_name="query_runs")
    sample_query = models.ForeignKey(SampleQuery, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    sql = models.TextField()
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    backend_pid = models.IntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)
    truncated = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    client = models.CharField(
        max_length=10,
        default="web",
        db_default="web",  # rows written by raw SQL (benchmarks, bulk loads) need no value either
        help_text="Who sent it for the user: web, graphql, agent (an MCP client).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["product", "-created_at"], name="queryrun_product_idx"),
            models.Index(fields=["user", "-created_at"], name="queryrun_user_idx"),
            models.Index(fields=["-created_at"], name="queryrun_created_idx"),
        ]

    def __str__(self):
        return f"run {self.token[:8]} {self.status}"
