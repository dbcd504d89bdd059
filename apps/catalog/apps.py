from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """The mesh itself: domains, teams, ownership, data products, ports, datasets, lineage."""

    name = "apps.catalog"
    label = "catalog"

    def ready(self):
        from django.db.models.signals import post_migrate, pre_migrate

        from apps.catalog.integrity import create_sqlite_triggers, drop_sqlite_triggers

        # SQLite's column → dataset triggers stay out of the way of table rebuilds (ADR 0022)
        pre_migrate.connect(drop_sqlite_triggers, sender=self, dispatch_uid="catalog-integrity-drop")
        post_migrate.connect(create_sqlite_triggers, sender=self, dispatch_uid="catalog-integrity-create")
        from apps.catalog.views.home import profile_products
        from apps.core.views import profile_sections

        profile_sections.register("products", profile_products)
        from apps.catalog.events import register_catalog_event_types

        register_catalog_event_types()
