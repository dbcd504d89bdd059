"""A configured source of technical metadata (a PostgreSQL database, a dbt project, Glue)."""

from django.core.validators import MaxValueValidator, MinValueValidator, validate_slug
from django.db import models

from apps.core.crypto import EncryptedJSONField
from apps.core.models import TimestampedModel


class Source(TimestampedModel):
    """Where a harvester reads from.

    ``config`` holds non-secret settings validated by the harvester kind; ``secrets`` holds
    passwords and keys, encrypted at rest and never rendered. ``mapping_rules`` place
    harvested datasets into domains and products.
    """

    name = models.SlugField(max_length=100, unique=True, validators=[validate_slug])
    kind = models.CharField(max_length=30, db_index=True)
    description = models.TextField(blank=True)
    config = models.JSONField(default=dict, blank=True)
    secrets = EncryptedJSONField(blank=True, default=dict)
    mapping_rules = models.JSONField(default=list, blank=True)
    schedule = models.CharField(
        max_length=100, blank=True, help_text="Cron expression for periodic harvests; empty for none."
    )
    enabled = models.BooleanField(default=True)
    max_removal_share = models.FloatField(
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Fail-safe: a run that would soft-delete more than this share of the source's datasets fails instead.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def secret_keys(self) -> list[str]:
        """Which secrets are set — the only thing about secrets that may be shown."""
        return sorted(self.secrets or {})
