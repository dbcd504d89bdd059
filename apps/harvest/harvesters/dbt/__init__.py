"""The dbt source kind (see ``harvester.py``); importing this package registers it."""

from apps.harvest.harvesters.base import harvester_registry, register_harvester
from apps.harvest.harvesters.dbt.harvester import DbtHarvester

if DbtHarvester.kind not in harvester_registry:
    register_harvester(DbtHarvester)

__all__ = ["DbtHarvester"]
