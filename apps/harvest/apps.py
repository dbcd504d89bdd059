from django.apps import AppConfig


class HarvestConfig(AppConfig):
    """Sources of technical metadata, harvesters, and the pipeline that reconciles them."""

    name = "apps.harvest"
    label = "harvest"
