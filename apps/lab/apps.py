from django.apps import AppConfig


class LabConfig(AppConfig):
    """The five-minute path: connection snippets, sample queries, the safe query runner."""

    name = "apps.lab"
    label = "lab"

    def ready(self):
        from apps.catalog.descriptors.sections import register_port_section
        from apps.lab.descriptors import SampleQueriesSection

        register_port_section(SampleQueriesSection())
