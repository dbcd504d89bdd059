"""Security levels' policies, personal-data grants and classification conflicts."""

from django.conf import settings
from django.db import models

from apps.catalog.models import Classification


class LevelPolicy(models.Model):
    """What a security level (a product classification) means for personal data.

    Levels are the catalog's classifications; a missing row falls back to
    ``DEFAULT_POLICIES`` so a fresh install has teeth without configuration.
    """

    level = models.CharField(max_length=12, choices=Classification.choices, unique=True)
    allows_personal_data = models.BooleanField(
        default=False, help_text="Products at this level may publish personal data without a conflict."
    )
    mask_personal_data = models.BooleanField(
        default=True, help_text="Personal-data columns are masked in lab results unless the grant includes them."
    )
    hide_sample_queries = models.BooleanField(default=False)

    def __str__(self):
        return self.level


DEFAULT_POLICIES = {
    "public": {"allows_personal_data": False, "mask_personal_data": True, "hide_sample_queries": False},
    "internal": {"allows_personal_data": False, "mask_personal_data": True, "hide_sample_queries": False},
    "confidential": {"allows_personal_data": True, "mask_personal_data": True, "hide_sample_queries": False},
    "restricted": {"allows_personal_data": True, "mask_personal_data": True, "hide_sample_queries": True},
}


class PersonalDataGrant(models.Model):
    """The access grant also covers personal data: the lab shows those columns unmasked."""

    grant = models.OneToOneField("governance.AccessGrant", on_delete=models.CASCADE, related_name="personal_data")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    purpose = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"personal data on grant {self.grant_id}"


class ClassificationConflict(models.Model):
    """A product publishes personal data while its classification says it should not.

    One open row per product (``resolved_at`` empty); refreshed set-based after detection,
    propagation and decisions. ``categories`` and ``columns`` summarise what was found.
    """

    product = models.ForeignKey("catalog.DataProduct", on_delete=models.CASCADE, related_name="privacy_conflicts")
    classification = models.CharField(max_length=12)
    categories = models.JSONField(default=list)
    columns = models.JSONField(default=list, help_text="[{id, dataset_id, dataset, name, category, state, weak}]")
    confirmed = models.BooleanField(default=False, help_text="At least one personal-data column is confirmed.")
    detected_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-detected_at"]
        indexes = [models.Index(fields=["product", "resolved_at"], name="conflict_product_open_idx")]

    def __str__(self):
        return f"conflict on {self.product_id}"
