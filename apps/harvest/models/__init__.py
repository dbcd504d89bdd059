from apps.harvest.models.link import SourceDataset
from apps.harvest.models.run import ACTIVE_STATUSES, HarvestRun, RunStatus
from apps.harvest.models.source import Source

__all__ = ["ACTIVE_STATUSES", "HarvestRun", "RunStatus", "Source", "SourceDataset"]
