from django.apps import AppConfig


class CostsConfig(AppConfig):
    """What a data product costs: billing imports (FOCUS, CUR), attribution, budgets, cost per consumer."""

    name = "apps.costs"
    label = "costs"

    def ready(self):
        from apps.core.slots import NavLink, register_nav_link

        register_nav_link(NavLink("Costs", "costs:mesh", order=30, audience="admin"))  # the mesh's billing
        from apps.catalog.views.extensions import PageSection, register_domain_section, register_product_section
        from apps.core.events import register_event_type

        register_event_type(
            "mesh.cost.budget_exceeded", "A product's measured cost for a month passed the budget its owners set."
        )
        register_event_type("mesh.cost.imported", "A billing file was imported and attributed to products.")
        register_product_section(PageSection("costs", "Cost", "costs:product_panel", order=60))
        register_domain_section(PageSection("costs", "Cost", "costs:domain_panel", order=60))
