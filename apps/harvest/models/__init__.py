from apps.harvest.models.run import HarvestRun, RunStatus
from apps.harvest.models.source import Source

__all__ = ["HarvestRun", "RunStatus", "Source"]
