from django.apps import AppConfig


class OpenLineageConfig(AppConfig):
    """Received OpenLineage events (kept for idempotency and audit) and their parsing."""

    name = "apps.harvest.openlineage"
    label = "openlineage"
    verbose_name = "OpenLineage intake"
