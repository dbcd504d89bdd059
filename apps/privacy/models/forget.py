"""Right-to-be-forgotten cases: one request, one task per owning product."""

from django.conf import settings
from django.db import models

from apps.core.models import ChangeLoggedModel
from apps.privacy.categories import Category


class ForgetRequest(ChangeLoggedModel):
    """A data subject asked to be forgotten; the catalog tracks who still has to act.

    The subject's identifier value is never stored: the case carries an external
    ``reference`` (the ticket), and the generated queries take the value as a parameter.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    identifier_type = models.CharField(max_length=20, choices=Category.choices)
    reference = models.CharField(max_length=200, help_text="The ticket or case number of the request.")
    note = models.TextField(blank=True)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    closed_at = models.DateTimeField(null=True, blank=True)

    history_fields = ("identifier_type", "reference", "note", "status", "closed_at")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"], name="forget_status_idx")]

    def __str__(self):
        return f"forget {self.reference} ({self.identifier_type})"


class ForgetTask(ChangeLoggedModel):
    """What one owning product must do for a forget request: the datasets and their queries."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    request = models.ForeignKey(ForgetRequest, on_delete=models.CASCADE, related_name="tasks")
    product = models.ForeignKey(
        "catalog.DataProduct", null=True, blank=True, on_delete=models.SET_NULL, related_name="forget_tasks"
    )
    product_name = models.CharField(max_length=200, help_text="Kept when the product is deleted later.")
    datasets = models.JSONField(default=list, help_text="The finder's entries for this product, at request time.")
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.OPEN)
    comment = models.TextField(blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    history_fields = ("product", "status", "comment")

    class Meta:
        ordering = ["request_id", "product_name"]
        indexes = [models.Index(fields=["product", "status"], name="forgettask_product_status_idx")]

    def __str__(self):
        return f"{self.request_id}:{self.product_name} ({self.status})"

    def history_parent(self):
        return self.request
