"""The plain records harvesters yield. No ORM here: harvesters read, the pipeline writes.

A harvester's ``extract()`` yields any mix of these; ``apps.harvest.pipeline.reconcile``
turns them into catalog rows by identity (namespace, name). Records are frozen so that a
harvester cannot change one after yielding it. The vocabularies of ``DatasetRecord.kind``
and ``LineageRecord.evidence`` are part of this contract: harvesters take them from here.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Re-exported (``as`` marks it explicit): core owns them because the catalog's models use them too.
from apps.core.choices import DatasetKind as DatasetKind
from apps.core.choices import LineageEvidence as LineageEvidence


@dataclass(frozen=True)
class DatasetRef:
    """Identity of a dataset, as OpenLineage names it."""

    namespace: str
    name: str


@dataclass(frozen=True)
class ColumnRecord:
    name: str
    ordinal: int
    data_type: str = ""
    nullable: bool = True
    default: str = ""
    description: str = ""
    is_primary_key: bool = False
    is_generated: bool = False
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConstraintRecord:
    """PK / unique / FK / check. ``referenced`` names the target dataset of a foreign key."""

    name: str
    kind: str  # primary_key | unique | foreign_key | check
    columns: tuple[str, ...]
    referenced: DatasetRef | None = None
    referenced_columns: tuple[str, ...] = ()
    definition: str = ""


@dataclass(frozen=True)
class DatasetRecord:
    """One dataset as the source sees it, with its columns and constraints.

    ``complete_columns`` False means the source knows only some columns (e.g. dbt without
    a catalog) — the pipeline then does not treat missing columns as removed.
    """

    ref: DatasetRef
    platform: str
    kind: str
    description: str = ""
    owner: str = ""
    row_estimate: int | None = None
    size_bytes: int | None = None
    last_modified_at: datetime | None = None
    columns: tuple[ColumnRecord, ...] = ()
    constraints: tuple[ConstraintRecord, ...] = ()
    tags: tuple[str, ...] = ()
    properties: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    complete_columns: bool = True


@dataclass(frozen=True)
class SourceDigest:
    """The source's own digest of one dataset's facts (e.g. computed by its server).

    The pipeline stores it and hands it back to the next run (``Harvester.known_digests``).
    ``unchanged`` True says the digest equals the known one and no ``DatasetRecord`` follows:
    the dataset, and the lineage the source reported into it, stay as they are.
    """

    ref: DatasetRef
    digest: str
    unchanged: bool = False


@dataclass(frozen=True)
class LineageRecord:
    """``upstream`` feeds ``downstream``; ``evidence`` is a LineageEvidence value."""

    upstream: DatasetRef
    downstream: DatasetRef
    evidence: str
    details: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class ColumnLineageRecord:
    upstream: DatasetRef
    upstream_column: str
    downstream: DatasetRef
    downstream_column: str
    evidence: str
    transformation: str = ""


@dataclass(frozen=True)
class QualityRecord:
    """A quality check on a dataset (or column) and, when known, its latest result."""

    dataset: DatasetRef
    key: str
    name: str
    check_type: str
    category: str
    column_name: str = ""
    status: str | None = None  # pass | warn | fail | error | skipped
    observed_at: datetime | None = None
    run_key: str = ""
    failures: int | None = None
    message: str = ""
    definition: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class OwnershipHint:
    """Placement and ownership the source declares (dbt ``meta``, Glue parameters).

    Applied through the catalog's actions by the pipeline's mapping step; hints naming
    unknown users, domains or products become report warnings, never failures.
    """

    dataset: DatasetRef
    owner: str = ""  # e-mail or username
    domain: str = ""  # domain slug
    data_product: str = ""  # product slug
    classification: str = ""
    group: str = ""


@dataclass(frozen=True)
class SampleQueryRecord:
    """A named SQL query declared at the source (dbt ``meta.queries``)."""

    dataset: DatasetRef
    name: str
    sql: str
    description: str = ""


@dataclass(frozen=True)
class ConsumerRecord:
    """Something outside the catalog that consumes datasets (a dbt exposure, a dashboard)."""

    name: str
    kind: str
    depends_on: tuple[DatasetRef, ...]
    owner: str = ""
    url: str = ""
    description: str = ""


@dataclass(frozen=True)
class HarvestWarning:
    """A non-fatal problem the harvester wants in the run report (e.g. unparseable view SQL)."""

    code: str
    message: str
    subject: str = ""
    partial: bool = False  # True when part of the source was skipped: the run ends "partial"


HarvestRecord = (
    DatasetRecord
    | LineageRecord
    | ColumnLineageRecord
    | QualityRecord
    | OwnershipHint
    | SampleQueryRecord
    | ConsumerRecord
    | SourceDigest
    | HarvestWarning
)
