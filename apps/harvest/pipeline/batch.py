"""Sorting a harvester's records into one batch the reconcile steps read from."""

from dataclasses import dataclass, field

from apps.harvest.pipeline.report import RunReport
from apps.harvest.records import (
    ColumnLineageRecord,
    ConsumerRecord,
    DatasetRecord,
    DatasetRef,
    HarvestWarning,
    LineageRecord,
    OwnershipHint,
    QualityRecord,
    SampleQueryRecord,
    SourceDigest,
)


@dataclass
class RecordBatch:
    """Every record of one run, grouped by type; datasets keyed by identity (last one wins)."""

    datasets: dict[DatasetRef, DatasetRecord] = field(default_factory=dict)
    lineage: list[LineageRecord] = field(default_factory=list)
    column_lineage: list[ColumnLineageRecord] = field(default_factory=list)
    quality: list[QualityRecord] = field(default_factory=list)
    hints: list[OwnershipHint] = field(default_factory=list)
    sample_queries: list[SampleQueryRecord] = field(default_factory=list)
    consumers: list[ConsumerRecord] = field(default_factory=list)
    source_digests: dict[DatasetRef, str] = field(default_factory=dict)  # the source's own digest per dataset
    unchanged: set[DatasetRef] = field(default_factory=set)  # reported unchanged, without a record

    def extras_for(self) -> dict[DatasetRef, dict]:
        """Properties that come from records other than the dataset's own (consumers, hints).

        Sample queries are not among them: the lab stores them (``apps.lab.actions``)."""
        extras: dict[DatasetRef, dict] = {}
        for c in self.consumers:
            for ref in c.depends_on:
                extras.setdefault(ref, {}).setdefault("consumers", []).append(
                    {"name": c.name, "kind": c.kind, "owner": c.owner, "url": c.url, "description": c.description}
                )
        for h in self.hints:
            hint = {
                k: v
                for k, v in (
                    ("owner", h.owner),
                    ("domain", h.domain),
                    ("data_product", h.data_product),
                    ("classification", h.classification),
                    ("group", h.group),
                )
                if v
            }
            if hint:
                extras.setdefault(h.dataset, {})["hints"] = hint
        for value in extras.values():
            if "consumers" in value:
                value["consumers"].sort(key=lambda d: d["name"])
        return extras


_BUCKETS = {
    LineageRecord: "lineage",
    ColumnLineageRecord: "column_lineage",
    QualityRecord: "quality",
    OwnershipHint: "hints",
    SampleQueryRecord: "sample_queries",
    ConsumerRecord: "consumers",
}


def collect(records, report: RunReport) -> RecordBatch:
    """Group ``records``; harvester warnings go straight into the report."""
    batch = RecordBatch()
    for record in records:
        if isinstance(record, DatasetRecord):
            if record.ref in batch.datasets:
                report.warn(
                    "duplicate_dataset",
                    "The source reported this dataset twice; the last record was kept.",
                    _label(record.ref),
                )
            batch.datasets[record.ref] = record
        elif isinstance(record, SourceDigest):
            batch.source_digests[record.ref] = record.digest
            if record.unchanged:
                batch.unchanged.add(record.ref)
        elif isinstance(record, HarvestWarning):
            report.warn(record.code, record.message, record.subject)
        else:
            bucket = _BUCKETS.get(type(record))
            if bucket is None:
                raise TypeError(f"not a harvest record: {type(record).__name__}")
            getattr(batch, bucket).append(record)
    return batch


def _label(ref: DatasetRef) -> str:
    return f"{ref.namespace}/{ref.name}"
