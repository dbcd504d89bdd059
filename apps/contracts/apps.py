from django.apps import AppConfig


class ContractsConfig(AppConfig):
    """ODCS data contracts per output port: versions, checks after every harvest, impact reports."""

    name = "apps.contracts"
    label = "contracts"

    def ready(self):
        from apps.catalog.descriptors import register_descriptor_hook
        from apps.contracts.actions import bind_from_descriptor
        from apps.contracts.checks import on_reconcile
        from apps.contracts.notify import register_event_types
        from apps.harvest.pipeline.hooks import register_post_reconcile_hook

        register_event_types()
        from apps.contracts.facts import contract_met
        from apps.core.facts import PRODUCT_FACTS

        PRODUCT_FACTS.register("contract_met", contract_met)
        register_post_reconcile_hook("contracts", on_reconcile)
        register_descriptor_hook(bind_from_descriptor)

        from apps.catalog.views.extensions import PageSection, register_product_badges, register_product_section
        from apps.contracts.views import violation_badges

        register_product_section(PageSection("contract", "Contract", "contracts:product_contract", order=50))
        register_product_badges("contracts", violation_badges)
