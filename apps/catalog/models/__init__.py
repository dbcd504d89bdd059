from apps.catalog.models.choices import (
    Classification,
    DatasetKind,
    Lifecycle,
    LineageEvidence,
    OwnershipRole,
    PortDirection,
    PortProtocol,
    QualityCategory,
    QualityStatus,
    SchemaChangeType,
)
from apps.catalog.models.dataset import Column, Dataset, DatasetConstraint
from apps.catalog.models.domain import Domain
from apps.catalog.models.lineage import ColumnLineageEdge, LineageEdge
from apps.catalog.models.product import DataProduct, Port, PortDataset, Tag
from apps.catalog.models.quality import QualityCheck, QualityResult
from apps.catalog.models.schema import SchemaChange, SchemaVersion
from apps.catalog.models.team import Ownership, Team

__all__ = [
    "Classification",
    "Column",
    "ColumnLineageEdge",
    "DataProduct",
    "Dataset",
    "DatasetConstraint",
    "DatasetKind",
    "Domain",
    "Lifecycle",
    "LineageEdge",
    "LineageEvidence",
    "Ownership",
    "OwnershipRole",
    "Port",
    "PortDataset",
    "PortDirection",
    "PortProtocol",
    "QualityCategory",
    "QualityCheck",
    "QualityResult",
    "QualityStatus",
    "SchemaChange",
    "SchemaChangeType",
    "SchemaVersion",
    "Tag",
    "Team",
]
