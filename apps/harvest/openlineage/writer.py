"""Writing one parsed RunEvent into the catalog, incrementally.

Unlike a harvest, an event is not a snapshot of a source: it adds what it saw and removes
nothing. Datasets are created when missing (set-based, a few queries per event);
harvested sources stay authoritative for what they describe: an event's schema facet
sets the columns only of datasets no harvested source claims, and its description and
owner only fill blanks. Column changes reuse the pipeline's column planning, so schema
versions and classified changes are recorded the same way as for harvests.
"""

from dataclasses import dataclass, field

from django.utils import timezone

from apps.catalog.models import Column, ColumnLineageEdge, Dataset, LineageEdge, QualityCheck, QualityResult
from apps.harvest.models import SourceDataset
from apps.harvest.openlineage.parser import ParsedEvent
from apps.harvest.pipeline.columns import load_columns, plan_columns, write_columns, write_schema_versions
from apps.harvest.pipeline.datasets import short_name
from apps.harvest.pipeline.report import RunReport
from apps.harvest.records import DatasetRef


@dataclass
class EventOutcome:
    """What one event changed, for the response, the event's summary and reindexing."""

    touched: set[int] = field(default_factory=set)
    counts: dict = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


def write_event(parsed: ParsedEvent) -> EventOutcome:
    """Apply ``parsed``; call inside a transaction."""
    outcome = EventOutcome()
    records = {}
    for record in parsed.datasets:  # one dataset may be both input and output: merge facets
        known = records.get(record.ref)
        records[record.ref] = record if known is None or (record.columns and not known.columns) else known
    ids = _upsert_datasets(records, parsed, outcome)
    _write_columns(records, parsed, ids, outcome)
    _write_lineage(parsed, ids, outcome)
    _write_column_lineage(parsed, ids, outcome)
    _write_quality(parsed, ids, outcome)
    return outcome


def _write_quality(parsed: ParsedEvent, ids: dict, outcome: EventOutcome) -> None:
    """Assertions become checks (upserted by key, never removed: an event is not a snapshot) and results.

    Keys start with ``openlineage:``, so they never meet a harvested source's checks; the
    result of this run is appended once (the (check, run) uniqueness makes a replay a no-op).
    """
    records = [r for r in parsed.quality if r.dataset in ids]
    if not records:
        return
    fields = ("name", "check_type", "category", "column_name", "definition")
    QualityCheck.objects.bulk_create(
        [
            QualityCheck(dataset_id=ids[r.dataset], key=r.key, **{f: getattr(r, f) for f in fields})
            for r in {(r.dataset, r.key): r for r in records}.values()
        ],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["dataset", "key"],
        update_fields=[*fields, "removed_at"],
    )
    checks = {
        (dataset_id, key): pk
        for pk, dataset_id, key in QualityCheck.objects.filter(
            dataset_id__in={ids[r.dataset] for r in records}, key__in={r.key for r in records}
        ).values_list("pk", "dataset_id", "key")
    }
    results = QualityResult.objects.bulk_create(
        [
            QualityResult(
                quality_check_id=checks[(ids[r.dataset], r.key)],
                status=r.status,
                observed_at=r.observed_at,
                run_key=r.run_key,
                message=r.message,
            )
            for r in records
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    outcome.add("quality_results", len(results))
    outcome.touched.update(ids[r.dataset] for r in records)


def _upsert_datasets(records: dict, parsed: ParsedEvent, outcome: EventOutcome) -> dict[DatasetRef, int]:
    existing = {
        DatasetRef(d.namespace, d.name): d
        for d in Dataset.objects.filter(
            namespace__in={r.namespace for r in records}, name__in=[r.name for r in records]
        )
    }
    existing = {ref: d for ref, d in existing.items() if ref in records}
    now = timezone.now()
    new = [
        Dataset(
            namespace=ref.namespace,
            name=ref.name,
            short_name=short_name(ref.name)[:200],
            platform=rec.platform,
            kind=rec.kind,
            description=rec.description,
            owner=rec.owner[:200],
            properties=rec.properties,
            last_seen_at=now,
        )
        for ref, rec in records.items()
        if ref not in existing
    ]
    if new:
        Dataset.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        outcome.add("datasets_added", len(new))
        for d in Dataset.objects.filter(namespace__in={d.namespace for d in new}, name__in=[d.name for d in new]):
            ref = DatasetRef(d.namespace, d.name)
            if ref in records and ref not in existing:
                existing[ref] = d
                outcome.touched.add(d.pk)
    filled = []
    for ref, dataset in existing.items():
        rec = records[ref]
        changed = False
        if rec.description and not dataset.description:
            dataset.description, changed = rec.description, True
        if rec.owner and not dataset.owner:
            dataset.owner, changed = rec.owner[:200], True
        if changed and dataset.pk not in outcome.touched:
            filled.append(dataset)
    if filled:
        Dataset.objects.bulk_update(filled, ["description", "owner"], batch_size=1000)
        outcome.touched.update(d.pk for d in filled)
        outcome.add("datasets_described", len(filled))
    return {ref: d.pk for ref, d in existing.items()}


def _write_columns(records: dict, parsed: ParsedEvent, ids: dict, outcome: EventOutcome) -> None:
    described = {ref: ids[ref] for ref in parsed.described if ref in ids}
    if not described:
        return
    harvested = set(
        SourceDataset.objects.filter(dataset_id__in=described.values()).values_list("dataset_id", flat=True)
    )
    owned = {ref: pk for ref, pk in described.items() if pk not in harvested}
    outcome.skipped += [
        f"{ref.namespace}/{ref.name}: columns come from its harvested source"
        for ref, pk in described.items()
        if pk in harvested
    ]
    if not owned:
        return
    before = {d.pk: d for d in Dataset.objects.filter(pk__in=owned.values()).only("pk", "schema_hash")}
    old = load_columns(list(owned.values()))
    plans = {pk: plan_columns(records[ref], old.get(pk, {}), shared=False) for ref, pk in owned.items()}
    plans = {
        pk: plan
        for pk, plan in plans.items()
        if plan.upserts or plan.removed_ids or before[pk].schema_hash != plan.schema_hash
    }
    if not plans:
        return
    report = RunReport()
    write_columns(plans, report)
    write_schema_versions(
        None,
        {pk: (plan, before[pk] if before[pk].schema_hash else None) for pk, plan in plans.items()},
        report,
        record_added=False,
        now=timezone.now(),
    )
    for pk, plan in plans.items():
        Dataset.objects.filter(pk=pk).update(schema_hash=plan.schema_hash)
    outcome.touched.update(plans)
    for key in ("columns_added", "columns_changed", "columns_removed", "schema_changes"):
        if report.counts.get(key):
            outcome.add(key, report.counts[key])


def _write_lineage(parsed: ParsedEvent, ids: dict, outcome: EventOutcome) -> None:
    rows = [
        LineageEdge(
            upstream_id=ids[r.upstream], downstream_id=ids[r.downstream], evidence=r.evidence, details=r.details
        )
        for r in parsed.lineage
        if r.upstream in ids and r.downstream in ids and ids[r.upstream] != ids[r.downstream]
    ]
    if not rows:
        return
    known = set(
        LineageEdge.objects.filter(
            downstream_id__in={r.downstream_id for r in rows}, evidence=rows[0].evidence
        ).values_list("upstream_id", "downstream_id")
    )
    new = [r for r in rows if (r.upstream_id, r.downstream_id) not in known]
    if new:
        LineageEdge.objects.bulk_create(new, ignore_conflicts=True)
        outcome.touched.update(r.downstream_id for r in new)
    outcome.add("lineage_edges_added", len(new))


def _write_column_lineage(parsed: ParsedEvent, ids: dict, outcome: EventOutcome) -> None:
    if not parsed.column_lineage:
        return
    upstream_refs = {r.upstream for r in parsed.column_lineage if r.upstream not in ids}
    if upstream_refs:  # inputFields may name datasets that are not inputs of the event
        for d in Dataset.objects.filter(
            namespace__in={r.namespace for r in upstream_refs}, name__in=[r.name for r in upstream_refs]
        ).only("pk", "namespace", "name"):
            ids.setdefault(DatasetRef(d.namespace, d.name), d.pk)
    wanted = [(r, ids.get(r.upstream), ids.get(r.downstream)) for r in parsed.column_lineage]
    dataset_ids = {i for _, up, down in wanted for i in (up, down) if i}
    columns = {
        (ds, name): pk
        for pk, ds, name in Column.objects.filter(dataset_id__in=dataset_ids).values_list("pk", "dataset_id", "name")
    }
    rows = []
    for rec, up, down in wanted:
        up_col, down_col = columns.get((up, rec.upstream_column)), columns.get((down, rec.downstream_column))
        if up_col is None or down_col is None:
            missing = (
                f"{rec.upstream.name}.{rec.upstream_column}"
                if up_col is None
                else f"{rec.downstream.name}.{rec.downstream_column}"
            )
            outcome.skipped.append(f"column lineage to {rec.downstream_column}: column {missing} is not in the catalog")
            continue
        if up_col != down_col:
            rows.append(
                ColumnLineageEdge(
                    upstream_id=up_col,
                    downstream_id=down_col,
                    evidence=rec.evidence,
                    transformation=rec.transformation[:30],
                )
            )
    if rows:
        known = set(
            ColumnLineageEdge.objects.filter(
                downstream_id__in={r.downstream_id for r in rows}, evidence=rows[0].evidence
            ).values_list("upstream_id", "downstream_id")
        )
        rows = [r for r in rows if (r.upstream_id, r.downstream_id) not in known]
        ColumnLineageEdge.objects.bulk_create(rows, ignore_conflicts=True)
        if rows:
            outcome.touched.update(ids[rec.downstream] for rec in parsed.column_lineage if rec.downstream in ids)
    outcome.add("column_lineage_edges_added", len(rows))
