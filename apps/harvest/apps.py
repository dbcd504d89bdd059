from django.apps import AppConfig


class HarvestConfig(AppConfig):
    """Sources of technical metadata, harvesters, and the pipeline that reconciles them."""

    name = "apps.harvest"
    label = "harvest"

    def ready(self):
        # Every module under harvesters/ is a source kind that registers itself on import:
        # adding a kind is adding a module. ``base`` and ``sql`` are shared code, not kinds.
        import importlib
        import pkgutil

        from apps.harvest import harvesters
        from apps.harvest.events import register_harvest_event_types

        for module in pkgutil.iter_modules(harvesters.__path__):
            if module.name not in {"base", "sql"}:
                importlib.import_module(f"{harvesters.__name__}.{module.name}")
        register_harvest_event_types()
