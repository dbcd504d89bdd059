"""Column diffs, schema versions and classified schema changes for the datasets a run touched."""

import hashlib
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import orjson
from django.db.models import Max

from apps.catalog import compatibility
from apps.catalog.models import Column, DatasetKind, SchemaChange, SchemaChangeType, SchemaVersion
from apps.harvest.events import emit_schema_changes
from apps.harvest.pipeline.bulk import dumps, insert_new, upsert
from apps.harvest.records import DatasetRecord

BATCH = 2000
COLUMN_FIELDS = ("ordinal", "data_type", "nullable", "default", "description", "is_primary_key", "is_generated", "tags")


@dataclass
class ColumnPlan:
    """The columns one dataset should have, and how they differ from what the catalog holds."""

    final: dict[str, dict] = field(default_factory=dict)  # name -> column fields, in ordinal order
    old: dict[str, dict] = field(default_factory=dict)
    upserts: list[str] = field(default_factory=list)  # names to insert or update
    removed_ids: list[int] = field(default_factory=list)
    schema_hash: str = ""
    # Message schemas (Avro, JSON Schema of a topic): a reader on the old schema fills a removed
    # field that had a default, so removing it does not break consumers. A table's readers name
    # the column in SQL: for them every removal breaks.
    removal_with_default_compatible: bool = False


def load_columns(dataset_ids) -> dict[int, dict[str, dict]]:
    """The current columns of ``dataset_ids``: {dataset_id: {name: fields (with id)}} in one query."""
    result: dict[int, dict[str, dict]] = {}
    if not dataset_ids:
        return result
    for row in (
        Column.objects.filter(dataset_id__in=dataset_ids)
        .order_by("dataset_id", "ordinal", "name")
        .values("id", "dataset_id", "name", *COLUMN_FIELDS)
    ):
        result.setdefault(row.pop("dataset_id"), {})[row["name"]] = row
    return result


def plan_columns(record: DatasetRecord, old: dict[str, dict], *, shared: bool) -> ColumnPlan:
    plan = ColumnPlan(old=old, removal_with_default_compatible=record.kind == DatasetKind.TOPIC)
    if not old:
        return _plan_new_columns(record, plan)
    final = (
        {} if record.complete_columns else {name: {k: v for k, v in c.items() if k != "id"} for name, c in old.items()}
    )
    for col in record.columns:
        before = old.get(col.name)
        description = col.description or (before["description"] if shared and before else "")
        final[col.name] = {
            "ordinal": col.ordinal,
            "data_type": col.data_type[:200],
            "nullable": col.nullable,
            "default": col.default,
            "description": description,
            "is_primary_key": col.is_primary_key,
            "is_generated": col.is_generated,
            "tags": sorted(set(col.tags) | set(before["tags"] if shared and before else ())),
        }
    plan.final = dict(sorted(final.items(), key=lambda kv: (kv[1]["ordinal"], kv[0])))
    for name, fields in plan.final.items():
        before = old.get(name)
        if before is None or any(before[k] != fields[k] for k in COLUMN_FIELDS):
            plan.upserts.append(name)
    plan.removed_ids = [c["id"] for name, c in old.items() if name not in plan.final]
    plan.schema_hash = schema_hash(plan.final)
    return plan


def _plan_new_columns(record: DatasetRecord, plan: ColumnPlan) -> ColumnPlan:
    """A dataset without columns in the catalog (all of a first harvest's): every column is
    inserted as the record says, with nothing to merge, compare or remove (101,750 columns:
    0.14 s instead of 0.22 s)."""
    final = {
        col.name: {
            "ordinal": col.ordinal,
            "data_type": col.data_type[:200],
            "nullable": col.nullable,
            "default": col.default,
            "description": col.description,
            "is_primary_key": col.is_primary_key,
            "is_generated": col.is_generated,
            "tags": sorted(set(col.tags)) if col.tags else [],
        }
        for col in record.columns
    }
    ordinals = [c["ordinal"] for c in final.values()]
    if any(a >= b for a, b in zip(ordinals, ordinals[1:], strict=False)):  # not already in ordinal order
        final = dict(sorted(final.items(), key=lambda kv: (kv[1]["ordinal"], kv[0])))
    plan.final = final
    plan.upserts = list(final)
    plan.schema_hash = schema_hash(final)
    return plan


def schema_hash(columns: dict[str, dict]) -> str:
    shape = [(name, c["data_type"], c["nullable"]) for name, c in columns.items()]
    return hashlib.sha256(orjson.dumps(shape)).hexdigest()


def write_columns(plans: dict[int, ColumnPlan], report, *, new: AbstractSet[int] = frozenset()) -> None:
    """Insert, update and delete columns as the plans say; the columns of datasets in ``new``
    (inserted by this transaction) are copied straight in (``bulk.insert_new``)."""
    rows, fresh, removed = [], [], []
    added = changed = 0
    for dataset_id, plan in plans.items():
        target = fresh if dataset_id in new else rows
        for name in plan.upserts:
            c = plan.final[name]
            target.append(
                (
                    dataset_id,
                    name,
                    c["ordinal"],
                    c["data_type"],
                    c["nullable"],
                    c["default"],
                    c["description"],
                    c["is_primary_key"],
                    c["is_generated"],
                    dumps(c["tags"]) if c["tags"] else "[]",
                )
            )
            if name in plan.old:
                changed += 1
            else:
                added += 1
        removed += plan.removed_ids
        report.add("columns_unchanged", len(plan.final) - len(plan.upserts))
    if removed:
        Column.objects.filter(pk__in=removed).delete()
    if fresh:
        insert_new(Column, ["dataset_id", "name", *COLUMN_FIELDS], fresh)
    upsert(
        Column,
        ["dataset_id", "name", *COLUMN_FIELDS],
        rows,
        conflict=["dataset_id", "name"],
        update=list(COLUMN_FIELDS),
    )
    report.add("columns_added", added)
    report.add("columns_changed", changed)
    report.add("columns_removed", len(removed))


def write_schema_versions(
    run,
    plans: dict[int, tuple],
    report,
    *,
    record_added: bool,
    now,
    new: AbstractSet[int] = frozenset(),
) -> None:
    """A new version for each dataset whose shape changed; change rows only against a previous version.

    ``plans`` maps dataset id → (ColumnPlan, the dataset row before this run or None).
    Datasets in ``new`` were inserted by this transaction: they have no versions yet (no
    lookup), and theirs are copied straight in.
    """
    changed = {
        pk: (plan, before)
        for pk, (plan, before) in plans.items()
        if before is None or before.schema_hash != plan.schema_hash
    }
    if not changed:
        return
    old_ids = [pk for pk in changed if pk not in new]
    latest = (
        dict(
            SchemaVersion.objects.filter(dataset_id__in=old_ids)
            .values("dataset_id")
            .annotate(v=Max("version"))
            .values_list("dataset_id", "v")
        )
        if old_ids
        else {}
    )
    numbers = {pk: latest.get(pk, 0) + 1 for pk in changed}
    rows = [
        (
            pk,
            numbers[pk],
            plan.schema_hash,
            dumps(
                [
                    {"name": n, "type": c["data_type"], "nullable": c["nullable"], "ordinal": c["ordinal"]}
                    for n, c in plan.final.items()
                ]
            ),
            run.pk if run else None,
            now,
        )
        for pk, (plan, _) in changed.items()
    ]
    fields = ["dataset_id", "version", "schema_hash", "columns", "harvest_run_id", "created_at"]
    fresh = [row for row in rows if row[0] in new]
    # A first version needs its id only for the dataset_added change (a source's later runs).
    fresh_ids = insert_new(SchemaVersion, fields, fresh, ids=record_added)
    version_ids = dict(zip((row[0] for row in fresh), fresh_ids, strict=True)) if record_added else {}
    version_ids.update(
        {
            ds: vid
            for vid, ds in upsert(
                SchemaVersion, fields, [row for row in rows if row[0] not in new], returning=["id", "dataset_id"]
            )
        }
    )
    changes = []
    for pk, (plan, before) in changed.items():
        if numbers[pk] == 1:
            if before is None and record_added:
                changes.append(
                    SchemaChange(
                        dataset_id=pk,
                        schema_version_id=version_ids[pk],
                        change_type=SchemaChangeType.DATASET_ADDED,
                        is_breaking=False,
                    )
                )
            continue
        changes += diff_columns(
            pk,
            version_ids[pk],
            plan.old,
            plan.final,
            removal_with_default_compatible=plan.removal_with_default_compatible,
        )
    if changes:
        SchemaChange.objects.bulk_create(changes, batch_size=BATCH)
        emit_schema_changes(run, changes)  # the outbox, in the run's transaction
    report.add("schema_versions", len(rows))
    report.add("schema_changes", len(changes))
    report.add("breaking_changes", sum(c.is_breaking for c in changes))


def diff_columns(
    dataset_id: int,
    version_id: int,
    old: dict[str, dict],
    new: dict[str, dict],
    *,
    removal_with_default_compatible: bool = False,
) -> list[SchemaChange]:
    """Changes classified by the one rule table (``apps.catalog.compatibility``): removed,
    narrowed or incompatibly retyped, or newly nullable columns break readers; additions and
    widenings do not. Renames stay removed + added rows here (the contract checks name them).

    With ``removal_with_default_compatible`` (a topic's message schema) removing a field that
    has a default does not break: consumers on the old schema read the default.
    """
    kinds = {
        "column_added": SchemaChangeType.COLUMN_ADDED,
        "column_removed": SchemaChangeType.COLUMN_REMOVED,
        "type_widened": SchemaChangeType.TYPE_CHANGED,
        "type_narrowed": SchemaChangeType.TYPE_CHANGED,
        "type_incompatible": SchemaChangeType.TYPE_CHANGED,
        "became_nullable": SchemaChangeType.NULLABILITY_CHANGED,
        "became_required": SchemaChangeType.NULLABILITY_CHANGED,
    }

    def shape(columns):
        return {n: {"type": c["data_type"], "nullable": c["nullable"]} for n, c in columns.items()}

    out = []
    for change in compatibility.diff_columns(shape(old), shape(new), detect_renames=False):
        if change.kind not in kinds:
            continue
        if change.kind.startswith("type_"):
            before, after = {"type": change.before}, {"type": change.after}
        elif change.kind.startswith("became_"):
            before, after = {"nullable": change.before}, {"nullable": change.after}
        else:
            before, after = change.before, change.after
        out.append(
            SchemaChange(
                dataset_id=dataset_id,
                schema_version_id=version_id,
                change_type=kinds[change.kind],
                column_name=change.subject,
                before=before,
                after=after,
                is_breaking=change.breaking
                and not (
                    change.kind == "column_removed"
                    and removal_with_default_compatible
                    and old.get(change.subject, {}).get("default")
                ),
            )
        )
    return out
