"""Data contracts (ODCS) per output port: immutable versions, check runs, impact reports.

Nothing here is ever overwritten: a new contract text is a new ``ContractVersion``; each
harvest or scheduled check appends ``CheckRun`` rows; each breaking change (harvested or
proposed) is an ``ImpactReport`` with one ``ImpactEntry`` per consumer. Only a version's
``status`` moves (proposed → active → deprecated → retired) and an entry's acknowledgement.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ContractStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    DEPRECATED = "deprecated", "Deprecated"
    RETIRED = "retired", "Retired"


#: the lifecycle: where a version may go from each status
TRANSITIONS = {
    ContractStatus.DRAFT: {ContractStatus.PROPOSED, ContractStatus.ACTIVE, ContractStatus.RETIRED},
    ContractStatus.PROPOSED: {ContractStatus.ACTIVE, ContractStatus.RETIRED},
    ContractStatus.ACTIVE: {ContractStatus.DEPRECATED, ContractStatus.RETIRED},
    ContractStatus.DEPRECATED: {ContractStatus.RETIRED, ContractStatus.ACTIVE},
    ContractStatus.RETIRED: set(),
}


class Contract(models.Model):
    """One ODCS contract (its ``id``), bound to the output port whose datasets it describes."""

    odcs_id = models.CharField(max_length=200, unique=True, help_text="The contract's ODCS `id`.")
    name = models.CharField(max_length=300, blank=True)
    port = models.OneToOneField(
        "catalog.Port", null=True, blank=True, on_delete=models.SET_NULL, related_name="contract"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["odcs_id"]

    def __str__(self):
        return self.name or self.odcs_id

    def history_parent(self):
        return self.port.product if self.port_id else None

    @property
    def active_version(self):
        return self.versions.filter(status=ContractStatus.ACTIVE).first()


class ContractVersion(models.Model):
    """One immutable version of a contract: the text as submitted and what it parsed to."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=50)
    major = models.PositiveIntegerField()
    minor = models.PositiveIntegerField()
    patch = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=ContractStatus.choices, default=ContractStatus.PROPOSED)
    api_version = models.CharField(max_length=20)
    text = models.TextField(help_text="The YAML exactly as submitted (exported byte for byte while untouched).")
    document = models.JSONField(help_text="The parsed contract.")
    changes = models.JSONField(default=list, blank=True, help_text="Classified changes against the previous version.")
    level = models.CharField(max_length=5, blank=True, help_text="major, minor or patch against the previous version.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_via = models.CharField(max_length=20, default="web")
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["contract_id", "-major", "-minor", "-patch"]
        constraints = [models.UniqueConstraint(fields=["contract", "version"], name="uniq_contract_version")]
        indexes = [models.Index(fields=["contract", "status"], name="contractversion_status_idx")]

    def __str__(self):
        return f"{self.contract_id} v{self.version} ({self.status})"

    @property
    def semver(self) -> tuple[int, int, int]:
        return (self.major, self.minor, self.patch)


class Verdict(models.TextChoices):
    MET = "met", "Met"
    VIOLATED = "violated", "Violated"
    UNKNOWN = "unknown", "Unknown"


class CheckRun(models.Model):
    """One check of one dataset against one contract version; appended, never overwritten.

    ``clauses`` lists ``{clause, kind, verdict, evidence}``: the run is violated when any
    clause is, met when all are met, unknown when nothing could be told.
    """

    class Trigger(models.TextChoices):
        HARVEST = "harvest", "After a harvest"
        SCHEDULE = "schedule", "Scheduled quality rules"
        MANUAL = "manual", "Run by a person"

    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="check_runs")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="check_runs")
    dataset = models.ForeignKey(
        "catalog.Dataset", null=True, blank=True, on_delete=models.CASCADE, related_name="contract_checks"
    )
    object_name = models.CharField(max_length=300, help_text="The schema object of the contract checked.")
    harvest_run = models.ForeignKey(
        "harvest.HarvestRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.HARVEST)
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    clauses = models.JSONField(default=list)
    met_count = models.PositiveIntegerField(default=0)
    violated_count = models.PositiveIntegerField(default=0)
    checked_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [
            models.Index(fields=["contract", "-checked_at"], name="checkrun_contract_idx"),
            models.Index(fields=["dataset", "-checked_at"], name="checkrun_dataset_idx"),
            models.Index(fields=["verdict", "-checked_at"], name="checkrun_verdict_idx"),
        ]

    def __str__(self):
        return f"{self.contract_id} {self.object_name} {self.verdict}"


class DatasetVerdict(models.Model):
    """The latest verdict per (contract, dataset): a cache of the newest ``CheckRun`` for
    badges and for telling when a verdict turns; the history stays in ``CheckRun``."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="verdicts")
    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.CASCADE, related_name="+")
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    version = models.ForeignKey(ContractVersion, null=True, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(CheckRun, on_delete=models.CASCADE, related_name="+")
    checked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contract", "dataset"], name="uniq_dataset_verdict")]
        indexes = [models.Index(fields=["verdict"], name="datasetverdict_verdict_idx")]

    def __str__(self):
        return f"{self.contract_id}/{self.dataset_id} {self.verdict}"


class ImpactReport(models.Model):
    """Who a breaking change touches: harvested (already happened) or proposed (a new version)."""

    class Trigger(models.TextChoices):
        HARVEST = "harvest", "Detected by a harvest"
        PROPOSAL = "proposal", "Proposed in a contract version"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="impact_reports")
    version = models.ForeignKey(
        ContractVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="impact_reports"
    )
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    changes = models.JSONField(default=list, help_text="The breaking changes, as the rule table classified them.")
    affected_count = models.PositiveIntegerField(default=0)
    informed_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["contract", "-created_at"], name="impact_contract_idx")]

    def __str__(self):
        return f"impact {self.pk} on {self.contract_id} ({self.trigger})"


class ImpactEntry(models.Model):
    """One consumer of a breaking change: affected (reads a touched column) or informed."""

    class Kind(models.TextChoices):
        PRODUCT = "product", "Consumer product"
        DATASET = "dataset", "Downstream dataset"
        GRANT = "grant", "Access-grant holder"
        LAB_USER = "lab_user", "Recent lab user"

    class Level(models.TextChoices):
        AFFECTED = "affected", "Affected"
        INFORMED = "informed", "Informed"

    report = models.ForeignKey(ImpactReport, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    level = models.CharField(max_length=10, choices=Level.choices)
    product = models.ForeignKey(
        "catalog.DataProduct", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    dataset = models.ForeignKey("catalog.Dataset", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    columns = models.JSONField(default=list, blank=True, help_text="The touched columns this consumer reads.")
    reason = models.CharField(max_length=300, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["report_id", "level", "kind", "id"]
        indexes = [
            models.Index(fields=["report", "level"], name="impactentry_report_idx"),
            models.Index(fields=["user"], name="impactentry_user_idx"),
            models.Index(fields=["product"], name="impactentry_product_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(product__isnull=False) | Q(dataset__isnull=False) | Q(user__isnull=False),
                name="impactentry_names_someone",
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.level}"
