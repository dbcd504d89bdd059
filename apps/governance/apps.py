from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    """Trust signals and control: maturity, contracts, access requests, schema-change notices."""

    name = "apps.governance"
    label = "governance"

    def ready(self):
        from apps.governance.events import register_governance_event_types

        register_governance_event_types()
