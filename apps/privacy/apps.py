from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Column classification, PII detection and propagation, masking, right-to-be-forgotten."""

    name = "apps.privacy"
    label = "privacy"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from apps.core.slots import NavLink, register_nav_link

        register_nav_link(NavLink("Personal data", "privacy:finder", order=40, audience="reader"))
        from apps.catalog.annotations import register_column_annotator, register_product_notice
        from apps.core.events import register_event_type
        from apps.core.hooks import register_change_listener
        from apps.lab.result_filters import register_result_filter, register_sample_query_filter
        from apps.privacy.annotations import annotate_dataset_columns, product_conflict_notice
        from apps.privacy.listeners import on_objects_changed
        from apps.privacy.masking import hide_sample_queries, mask_result

        register_event_type(
            "mesh.privacy.conflict_detected",
            "A product publishes personal data while its classification does not allow it.",
        )
        register_event_type("mesh.privacy.conflict_resolved", "A product's classification conflict went away.")
        register_event_type(
            "mesh.privacy.forget_requested",
            "A right-to-be-forgotten request needs the product's owners to find and erase a person's data.",
        )
        register_event_type(
            "mesh.privacy.classification_decided", "An owner confirmed or rejected a column's category."
        )
        register_change_listener(on_objects_changed)
        register_column_annotator(annotate_dataset_columns)
        register_product_notice(product_conflict_notice)
        register_result_filter(mask_result)
        register_sample_query_filter(hide_sample_queries)
