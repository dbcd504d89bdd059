from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class TrustConfig(AppConfig):
    """Trust at a glance: DATSIS maturity scores, quality by dimension, incidents, measured freshness."""

    name = "apps.trust"
    label = "trust"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from apps.core.slots import NavLink, register_nav_link

        register_nav_link(NavLink("Maturity", "trust:leaderboard", order=20, audience="reader"))
        from apps.core.events import register_event_type
        from apps.core.hooks import register_change_listener
        from apps.trust.listeners import on_objects_changed
        from apps.trust.rubric import RubricError, get_rubric

        try:
            get_rubric()  # a bad rubric stops startup here, with the line at fault
        except RubricError as exc:
            raise ImproperlyConfigured(f"Invalid maturity rubric: {exc}") from None
        register_event_type("mesh.incident.opened", "An incident was opened on a data product.", downstream=True)
        register_event_type("mesh.incident.resolved", "An incident on a data product was resolved.", downstream=True)
        register_event_type(
            "mesh.maturity.level_changed", "A data product's maturity level went up or down.", downstream=False
        )
        register_change_listener(on_objects_changed)
        from apps.catalog.descriptors.export import register_export_extension
        from apps.trust.export import maturity_properties

        register_export_extension("trust.maturity", maturity_properties)
