from django.apps import AppConfig


class LabConfig(AppConfig):
    """The five-minute path: connection snippets, sample queries, the safe query runner."""

    name = "apps.lab"
    label = "lab"

    def ready(self):
        from apps.harvest.source_panels import SOURCE_PANELS, SourcePanel

        SOURCE_PANELS.register(
            "lab-reader", SourcePanel("Lab reader", "lab:source_reader", kinds=frozenset({"postgres"}))
        )
