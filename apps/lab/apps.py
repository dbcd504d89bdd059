from django.apps import AppConfig


class LabConfig(AppConfig):
    """The five-minute path: connection snippets, sample queries, the safe query runner."""

    name = "apps.lab"
    label = "lab"
