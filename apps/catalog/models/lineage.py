"""Dataset-level and column-level lineage, each edge with its evidence."""

from django.db import models
from django.db.models import F, Q

from apps.catalog.models.choices import LineageEvidence


class LineageEdge(models.Model):
    """``upstream`` feeds ``downstream``, as shown by ``evidence``.

    The same pair may be known from several pieces of evidence (view SQL and dbt); each is
    its own row so that removing one source of evidence keeps the others.
    """

    # No index of their own: the unique constraint's index leads with ``upstream`` and the
    # ``downstream`` index below is the other direction (a second copy of each only slowed writes).
    upstream = models.ForeignKey(
        "catalog.Dataset", on_delete=models.CASCADE, related_name="downstream_edges", db_index=False
    )
    downstream = models.ForeignKey(
        "catalog.Dataset", on_delete=models.CASCADE, related_name="upstream_edges", db_index=False
    )
    evidence = models.CharField(max_length=20, choices=LineageEvidence.choices)
    source = models.ForeignKey(
        "harvest.Source", null=True, blank=True, on_delete=models.CASCADE, related_name="lineage_edges"
    )
    details = models.JSONField(
        default=dict, blank=True, help_text="e.g. the SQL or the dbt node that shows the dependency."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["upstream", "downstream", "evidence"], name="uniq_lineage_edge"),
            models.CheckConstraint(condition=~Q(upstream=F("downstream")), name="lineage_no_self_edge"),
        ]
        indexes = [models.Index(fields=["downstream"], name="lineage_downstream_idx")]

    def __str__(self):
        return f"{self.upstream_id} → {self.downstream_id} ({self.evidence})"


class ColumnLineageEdge(models.Model):
    """Column ``upstream`` contributes to column ``downstream`` (through ``transformation``)."""

    # No index of their own: the unique constraint's index leads with ``upstream`` and the
    # ``downstream`` index below is the other direction (a second copy of each only slowed writes).
    # No database foreign keys either (nor on ``source``): set-based triggers check them once per
    # statement instead of three deferred checks per edge at COMMIT (migration 0007, ADR 0022).
    upstream = models.ForeignKey(
        "catalog.Column", on_delete=models.CASCADE, related_name="downstream_edges", db_index=False, db_constraint=False
    )
    downstream = models.ForeignKey(
        "catalog.Column", on_delete=models.CASCADE, related_name="upstream_edges", db_index=False, db_constraint=False
    )
    evidence = models.CharField(max_length=20, choices=LineageEvidence.choices)
    source = models.ForeignKey(
        "harvest.Source",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="column_lineage_edges",
        db_constraint=False,  # as upstream and downstream: one set-based check per statement
    )
    transformation = models.CharField(max_length=30, blank=True, help_text="identity, expression, aggregation, ...")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["upstream", "downstream", "evidence"], name="uniq_column_lineage_edge"),
            models.CheckConstraint(condition=~Q(upstream=F("downstream")), name="column_lineage_no_self_edge"),
        ]
        indexes = [models.Index(fields=["downstream"], name="col_lineage_downstream_idx")]

    def __str__(self):
        return f"{self.upstream_id} → {self.downstream_id}"
