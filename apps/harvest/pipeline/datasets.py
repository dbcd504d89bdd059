"""Upserting datasets by identity, soft-deleting the ones that disappeared (with a fail-safe).

Each source remembers, per dataset, the digest of the record it last reported
(``SourceDataset``). A record with the same digest is skipped without reading its columns,
so an unchanged re-harvest reads two small tables and writes nothing. A source that digests
its own facts (``SourceDigest``) gets those digests back (``known_source_digests``) and may
then report a dataset as unchanged without a record at all; it is kept as it is.
"""

import hashlib
from dataclasses import dataclass, field
from urllib.parse import unquote

import orjson

from apps.catalog.models import Dataset, SchemaChange, SchemaChangeType
from apps.harvest.models import SourceDataset
from apps.harvest.pipeline.batch import RecordBatch
from apps.harvest.pipeline.bulk import dumps, insert_new, upsert
from apps.harvest.pipeline.columns import ColumnPlan, load_columns, plan_columns, write_columns, write_schema_versions
from apps.harvest.pipeline.report import RunReport
from apps.harvest.records import DatasetRecord, DatasetRef

BATCH = 2000
DATASET_COLUMNS = [
    "namespace",
    "name",
    "short_name",
    "platform",
    "kind",
    "description",
    "owner",
    "row_estimate",
    "size_bytes",
    "last_modified_at",
    "first_seen_at",
    "last_seen_at",
    "removed_at",
    "properties",
    "schema_hash",
    "source_id",
]
UPDATE_COLUMNS = [c for c in DATASET_COLUMNS if c not in ("namespace", "name", "first_seen_at")]
COPY_NEW_ROWS = True  # False: merge every row as before (bench/harvest_postgres.py --alternate-first)


class FailSafeError(Exception):
    """The run would soft-delete more of the source's datasets than the source allows."""


@dataclass
class DatasetOutcome:
    """What the dataset step did; later steps resolve references through ``ids``."""

    ids: dict[DatasetRef, int] = field(default_factory=dict)  # every dataset of this batch
    dirty: dict[DatasetRef, int] = field(default_factory=dict)  # added or changed in this run
    added: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)
    new: set[int] = field(default_factory=set)  # inserted by this run: nothing hangs under them yet


def record_digest(record: DatasetRecord, extras: dict | None) -> str:
    payload = orjson.dumps([record, extras or {}], option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(payload).hexdigest()


def short_name(name: str) -> str:
    """The last part of a name: ``db.schema.table``, ``table/db/table`` and ``queue/%2F/billing.orders``
    (a slash-separated name's last part is whole, URL-decoded: broker and MQTT names hold dots)."""
    if "/" in name:
        return unquote(name.rsplit("/", 1)[-1])
    return name.rsplit(".", 1)[-1]


def reconcile_datasets(
    source, run, batch: RecordBatch, report: RunReport, *, now, allow_removals: bool = False
) -> DatasetOutcome:
    outcome = DatasetOutcome()
    links = {
        DatasetRef(ns, name): (link_id, dataset_id, digest, source_digest)
        for link_id, dataset_id, ns, name, digest, source_digest in SourceDataset.objects.filter(
            source=source
        ).values_list("id", "dataset_id", "dataset__namespace", "dataset__name", "digest", "source_digest")
    }
    missing = [ref for ref in links if ref not in batch.datasets and ref not in batch.unchanged]
    _check_fail_safe(source, len(missing), len(links), allow_removals)
    kept = _keep_unchanged(batch, links, outcome, report)

    extras = batch.extras_for()
    digests = {ref: record_digest(rec, extras.get(ref)) for ref, rec in batch.datasets.items()}
    dirty_refs = []
    for ref in batch.datasets:
        link = links.get(ref)
        if link is not None and link[2] == digests[ref]:
            outcome.ids[ref] = link[1]
        else:
            dirty_refs.append(ref)
    report.add("datasets_unchanged", len(batch.datasets) - len(dirty_refs) + kept)
    report.add("columns_unchanged", sum(len(batch.datasets[r].columns) for r in outcome.ids if r in batch.datasets))

    # the refs whose ids are known already (a set test: ``in dirty_refs`` was quadratic, 3–6 s at 5,250)
    _store_source_digests(source, batch, [r for r in batch.datasets if r in outcome.ids], links, outcome)
    if dirty_refs:
        _upsert_dirty(source, run, batch, extras, digests, dirty_refs, links, outcome, report, now)
    if missing:
        _remove_missing(source, run, [links[ref] for ref in missing], outcome, report, now)
    report.add("datasets_added", len(outcome.added))
    report.add("datasets_changed", len(outcome.changed))
    report.add("datasets_removed", len(outcome.removed))
    return outcome


def known_source_digests(source) -> dict[DatasetRef, str]:
    """The source digest stored per dataset by the last run, for ``Harvester.known_digests``."""
    return {
        DatasetRef(ns, name): digest
        for ns, name, digest in SourceDataset.objects.filter(source=source)
        .exclude(source_digest="")
        .values_list("dataset__namespace", "dataset__name", "source_digest")
    }


def _keep_unchanged(batch: RecordBatch, links: dict, outcome: DatasetOutcome, report: RunReport) -> int:
    """Datasets the source reported unchanged keep their rows; returns how many."""
    kept = 0
    for ref in batch.unchanged:
        if ref in batch.datasets:
            continue  # a record after all: it is reconciled like any other
        link = links.get(ref)
        if link is None or link[3] != batch.source_digests[ref]:
            # The catalog lost this dataset (or its digest) since the run started: the next run reads it again.
            report.warn(
                "unchanged_unknown",
                "The source reported this dataset unchanged, but the catalog holds no matching copy; it is read again next run.",
                f"{ref.namespace}/{ref.name}",
            )
            continue
        outcome.ids[ref] = link[1]
        kept += 1
    return kept


def _store_source_digests(source, batch: RecordBatch, same_refs, links: dict, outcome: DatasetOutcome) -> None:
    """Records that did not change may still bring a new source digest (e.g. the first run that has one)."""
    rows = [
        (source.pk, outcome.ids[ref], links[ref][2], batch.source_digests[ref])
        for ref in same_refs
        if ref in batch.source_digests and links[ref][3] != batch.source_digests[ref]
    ]
    if rows:
        upsert(
            SourceDataset,
            ["source_id", "dataset_id", "digest", "source_digest"],
            rows,
            conflict=["source_id", "dataset_id"],
            update=["source_digest"],
        )


def _check_fail_safe(source, n_missing: int, n_known: int, allow_removals: bool) -> None:
    if allow_removals or not n_known or not n_missing:
        return
    share = n_missing / n_known
    if share > source.max_removal_share:
        raise FailSafeError(
            f"This run would remove {n_missing} of the {n_known} datasets of '{source.name}' ({share:.0%}), more than the "
            f"fail-safe allows ({source.max_removal_share:.0%}). Nothing was changed. If the source really lost them, raise "
            f"the source's max_removal_share or run `harvest {source.name} --allow-removals`."
        )


def _upsert_dirty(source, run, batch, extras, digests, dirty_refs, links, outcome, report, now) -> None:
    existing = _load_existing(dirty_refs)
    existing_ids = [d.pk for d in existing.values()]
    shared = (
        set(
            SourceDataset.objects.filter(dataset_id__in=existing_ids)
            .exclude(source=source)
            .values_list("dataset_id", flat=True)
        )
        if existing_ids
        else set()
    )
    old_columns = load_columns(existing_ids)

    rows, plans = [], {}
    for ref in dirty_refs:
        record = batch.datasets[ref]
        current = existing.get(ref)
        is_shared = current is not None and current.pk in shared
        plan = plan_columns(record, old_columns.get(current.pk, {}) if current else {}, shared=is_shared)
        plans[ref] = plan
        rows.append(_desired_row(source, record, current, extras.get(ref), plan, is_shared, now))

    with report.phase("reconcile.datasets.rows"):
        returned = upsert(
            Dataset,
            DATASET_COLUMNS,
            rows,
            conflict=["namespace", "name"],
            update=UPDATE_COLUMNS,
            returning=["id", "namespace", "name"],
            inserted=True,
        )
    ids = {DatasetRef(ns, name): pk for pk, ns, name, _ in returned}
    # Rows this statement inserted: nothing can hang under them yet, so their columns,
    # versions and links go in by plain COPY (``bulk.insert_new``), without a merge.
    new = outcome.new = {pk for pk, _, _, was_inserted in returned if was_inserted} if COPY_NEW_ROWS else set()
    for ref in dirty_refs:
        outcome.ids[ref] = outcome.dirty[ref] = ids[ref]
        current = existing.get(ref)
        (outcome.added if current is None or current.removed_at is not None else outcome.changed).append(ids[ref])

    with report.phase("reconcile.datasets.columns"):
        write_columns({ids[ref]: plan for ref, plan in plans.items()}, report, new=new)
    with report.phase("reconcile.datasets.versions"):
        write_schema_versions(
            run,
            {ids[ref]: (plan, existing.get(ref)) for ref, plan in plans.items()},
            report,
            record_added=bool(links),
            now=now,
            new=new,
        )
    _write_tags(batch, dirty_refs, outcome)
    with report.phase("reconcile.datasets.links"):
        link_rows = [
            (source.pk, ids[ref], digests[ref], batch.source_digests.get(ref, ""), run.pk if run else None)
            for ref in dirty_refs
        ]
        link_fields = ["source_id", "dataset_id", "digest", "source_digest", "last_changed_run_id"]
        fresh = [row for row in link_rows if row[1] in new]
        if fresh:
            insert_new(SourceDataset, link_fields, fresh)
        upsert(
            SourceDataset,
            link_fields,
            [row for row in link_rows if row[1] not in new],
            conflict=["source_id", "dataset_id"],
            update=["digest", "source_digest", "last_changed_run_id"],
        )


def _load_existing(refs) -> dict[DatasetRef, Dataset]:
    found = {}
    namespaces = {r.namespace for r in refs}
    names = [r.name for r in refs]
    for start in range(0, len(names), 10000):
        for d in Dataset.objects.filter(namespace__in=namespaces, name__in=names[start : start + 10000]):
            found[DatasetRef(d.namespace, d.name)] = d
    wanted = set(refs)
    return {ref: d for ref, d in found.items() if ref in wanted}


def _desired_row(
    source, record: DatasetRecord, current: Dataset | None, extras: dict | None, plan: ColumnPlan, shared: bool, now
) -> tuple:
    """The dataset row as it should be (``DATASET_COLUMNS`` order). A dataset other sources
    also describe keeps their values where this record is silent."""
    properties = {**record.properties, **(extras or {})}
    description, owner, rows, size, modified = (
        record.description,
        record.owner,
        record.row_estimate,
        record.size_bytes,
        record.last_modified_at,
    )
    if shared:
        properties = {**current.properties, **properties}
        description = description or current.description
        owner = owner or current.owner
        rows = current.row_estimate if rows is None else rows
        size = current.size_bytes if size is None else size
        modified = modified or current.last_modified_at
    source_id = current.source_id if current is not None and current.source_id else source.pk
    return (
        record.ref.namespace,
        record.ref.name,
        short_name(record.ref.name)[:200],
        record.platform,
        str(record.kind),
        description,
        owner[:200],
        rows,
        size,
        modified,
        now,
        now,
        None,
        dumps(properties),
        plan.schema_hash,
        source_id,
    )


def _write_tags(batch: RecordBatch, dirty_refs, outcome: DatasetOutcome) -> None:
    tagged = {ref: batch.datasets[ref].tags for ref in dirty_refs if batch.datasets[ref].tags}
    if not tagged:
        return
    from apps.catalog.actions.tags import resolve_tags

    tags = {t.slug: t.pk for t in resolve_tags(sorted({t for names in tagged.values() for t in names}))}
    from django.utils.text import slugify

    Through = Dataset.tags.through
    Through.objects.bulk_create(
        [
            Through(dataset_id=outcome.ids[ref], tag_id=tags[slugify(name)])
            for ref, names in tagged.items()
            for name in names
            if slugify(name) in tags
        ],
        ignore_conflicts=True,
    )


def _remove_missing(source, run, missing_links, outcome: DatasetOutcome, report: RunReport, now) -> None:
    """Drop this source's claims; soft-delete datasets no other source claims any more."""
    link_ids = [link[0] for link in missing_links]
    dataset_ids = [link[1] for link in missing_links]
    SourceDataset.objects.filter(pk__in=link_ids).delete()
    still_claimed = set(SourceDataset.objects.filter(dataset_id__in=dataset_ids).values_list("dataset_id", flat=True))
    orphaned = [pk for pk in dataset_ids if pk not in still_claimed]
    live = list(Dataset.objects.filter(pk__in=orphaned, removed_at__isnull=True).values_list("pk", flat=True))
    if not live:
        return
    Dataset.objects.filter(pk__in=live).update(removed_at=now)
    SchemaChange.objects.bulk_create(
        [
            SchemaChange(
                dataset_id=pk, change_type=SchemaChangeType.DATASET_REMOVED, is_breaking=True, before=None, after=None
            )
            for pk in live
        ],
        batch_size=BATCH,
    )
    report.add("breaking_changes", len(live))
    outcome.removed.extend(live)


__all__ = ["DatasetOutcome", "FailSafeError", "known_source_digests", "reconcile_datasets", "record_digest"]
