from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """The mesh itself: domains, teams, ownership, data products, ports, datasets, lineage."""

    name = "apps.catalog"
    label = "catalog"

    def ready(self):
        from apps.catalog.views.home import profile_products
        from apps.core.views import profile_sections

        profile_sections.register("products", profile_products)
        from apps.catalog.events import register_catalog_event_types

        register_catalog_event_types()
