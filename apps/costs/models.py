"""Billing lines as imported, their attribution to products and domains, budgets and rates.

``CostLine`` keeps every line of a billing file (for audit and the unattributed list);
``CostAllocation`` holds the same money rolled up per month, product or domain, service,
currency and attribution basis — shared costs already split — so pages sum a few rows
instead of millions of lines. For every import, the allocations add up to the lines.
"""

from django.conf import settings
from django.db import models

MONEY = {"max_digits": 20, "decimal_places": 6}


class BillingFormat(models.TextChoices):
    FOCUS = "focus", "FinOps FOCUS 1.x"
    CUR = "cur", "AWS CUR 2.0"


class ImportStatus(models.TextChoices):
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Basis(models.TextChoices):
    """How a line's money reached whom it is attributed to."""

    PRODUCT_TAG = "product_tag", "Tagged with the product"
    RESOURCE = "resource", "Resource matched to a harvested dataset"
    SHARED = "shared", "Domain cost shared across its products"
    DOMAIN = "domain", "Domain cost with no product to share it"
    UNATTRIBUTED = "unattributed", "Unattributed"


class CostImport(models.Model):
    """One billing file read into the catalog: what it held, what it replaced, what went wrong.

    A failed import keeps this row (status failed, errors) and nothing else; a succeeded one
    replaced the lines of the same source and billing periods.
    """

    source_name = models.CharField(max_length=100, help_text="Billing account or export name.")
    format = models.CharField(max_length=10, choices=BillingFormat.choices)
    file_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices)
    periods = models.JSONField(default=list, help_text="Billing periods (first days of months) the file covers.")
    line_count = models.PositiveIntegerField(default=0)
    totals = models.JSONField(default=dict, help_text="{currency: total effective cost} as read from the file.")
    attributed = models.JSONField(default=dict, help_text="{basis: {currency: amount}} after attribution.")
    warnings = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.get_format_display()}, {self.status})"


class CostLine(models.Model):
    """One billing line, normalised from FOCUS or CUR; money in its own currency."""

    cost_import = models.ForeignKey(CostImport, on_delete=models.CASCADE, related_name="lines")
    source_name = models.CharField(max_length=100)
    line_number = models.PositiveIntegerField()
    billing_period = models.DateField(help_text="First day of the billing month.")
    month = models.DateField(help_text="First day of the month the charge period starts in.")
    charge_start = models.DateTimeField()
    charge_end = models.DateTimeField(null=True)
    charge_category = models.CharField(max_length=30, blank=True)
    service_name = models.CharField(max_length=200, blank=True)
    resource_id = models.CharField(max_length=1000, blank=True)
    region = models.CharField(max_length=50, blank=True)
    account = models.CharField(max_length=100, blank=True)
    billed_cost = models.DecimalField(**MONEY)
    effective_cost = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    tags = models.JSONField(default=dict)
    # No index and no database constraint on these two: lines are read by basis or period (the
    # pages read allocations), and a million-line import should not maintain two more indexes.
    product = models.ForeignKey(
        "catalog.DataProduct",
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    domain = models.ForeignKey(
        "catalog.Domain", null=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )
    basis = models.CharField(max_length=15, choices=Basis.choices)

    class Meta:
        ordering = ["cost_import_id", "line_number"]
        indexes = [
            models.Index(fields=["source_name", "billing_period"], name="costline_source_period_idx"),
            models.Index(fields=["basis", "month"], name="costline_basis_month_idx"),
        ]

    def __str__(self):
        return f"line {self.line_number} of import {self.cost_import_id}"


class CostAllocation(models.Model):
    """Money of one import, rolled up per (month, product or domain, service, currency, basis)."""

    cost_import = models.ForeignKey(CostImport, on_delete=models.CASCADE, related_name="allocations")
    source_name = models.CharField(max_length=100)
    billing_period = models.DateField()
    month = models.DateField()
    product = models.ForeignKey("catalog.DataProduct", null=True, on_delete=models.CASCADE, related_name="+")
    domain = models.ForeignKey("catalog.Domain", null=True, on_delete=models.CASCADE, related_name="+")
    service_name = models.CharField(max_length=200, blank=True)
    currency = models.CharField(max_length=3)
    basis = models.CharField(max_length=15, choices=Basis.choices)
    rule = models.CharField(max_length=20, blank=True, help_text="Split rule for shared costs.")
    amount = models.DecimalField(**MONEY)
    line_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["product", "month"], name="costalloc_product_month_idx"),
            models.Index(fields=["domain", "month"], name="costalloc_domain_month_idx"),
            models.Index(fields=["source_name", "billing_period"], name="costalloc_source_period_idx"),
        ]

    def __str__(self):
        return f"{self.amount} {self.currency} {self.basis} {self.month:%Y-%m}"


class Budget(models.Model):
    """A monthly budget an owner set for a product; crossing it emits an event once a month."""

    product = models.OneToOneField("catalog.DataProduct", on_delete=models.CASCADE, related_name="cost_budget")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    last_alerted_month = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self):
        return f"{self.product_id}: {self.amount} {self.currency}/month"


class ExchangeRate(models.Model):
    """How many units of ``to_currency`` one unit of ``currency`` was worth in ``month``."""

    month = models.DateField()
    currency = models.CharField(max_length=3)
    to_currency = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=18, decimal_places=8)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "currency", "to_currency"], name="uniq_rate_per_month"),
        ]

    def __str__(self):
        return f"1 {self.currency} = {self.rate} {self.to_currency} ({self.month:%Y-%m})"
