from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared foundations: change log, actors, permissions, registries, encrypted fields."""

    name = "apps.core"
    label = "core"
