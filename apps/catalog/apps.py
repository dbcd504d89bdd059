from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """The mesh itself: domains, teams, ownership, data products, ports, datasets, lineage."""

    name = "apps.catalog"
    label = "catalog"

    def ready(self):
        from apps.catalog.events import register_catalog_event_types

        register_catalog_event_types()
