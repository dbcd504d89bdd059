from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Ranked, faceted, typo-tolerant search over the catalog (see README "Search")."""

    name = "apps.search"
    label = "search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.backends.signals import connection_created

        from apps.core.hooks import register_change_listener
        from apps.search.freshness import on_objects_changed
        from apps.search.indexes import load_declarations

        load_declarations()
        register_change_listener(on_objects_changed)
        # SQLite gets Python twins of the SQL functions the index declarations use.
        connection_created.connect(_install_sqlite_functions, dispatch_uid="search-sqlite-functions")


def _install_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        from apps.search.backends.sqlite import install_functions

        install_functions(connection)
