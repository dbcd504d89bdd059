"""Index declarations for the catalog's models, one module per kind.

The catalog app is owned elsewhere, so its declarations live here; other apps may
declare their own in ``<app>/search.py`` and register them the same way.
"""

from apps.search.indexes.base import SearchIndex, ordered_indexes, register, search_indexes

__all__ = ["SearchIndex", "ordered_indexes", "register", "search_indexes", "load_declarations"]


def load_declarations() -> None:
    """Import the declaration modules (each registers itself); called from ``SearchConfig.ready``."""
    import importlib

    from django.apps import apps

    for module in ("products", "datasets", "columns", "domains", "people", "tags"):
        importlib.import_module(f"apps.search.indexes.{module}")
    for config in apps.get_app_configs():
        if config.name != "apps.search" and config.name.startswith("apps."):
            try:
                importlib.import_module(f"{config.name}.search")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.search":
                    raise
