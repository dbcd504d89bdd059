from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Ranked, faceted, typo-tolerant search over the catalog."""

    name = "apps.search"
    label = "search"
