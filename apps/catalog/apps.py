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
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from apps.catalog.graphql import page_cache
        from apps.core.hooks import register_change_listener

        register_change_listener(page_cache.on_objects_changed)
        post_save.connect(page_cache.on_user_saved, sender=get_user_model(), dispatch_uid="catalog-page-cache")
        post_delete.connect(page_cache.on_user_saved, sender=get_user_model(), dispatch_uid="catalog-page-cache-del")
        post_save.connect(page_cache.on_admin_logged, sender="admin.LogEntry", dispatch_uid="catalog-page-cache-admin")
