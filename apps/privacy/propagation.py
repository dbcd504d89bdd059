"""Personal data flows downstream along lineage until an owner marks a column anonymised.

Recomputed set-based for the whole catalog: a handful of queries load the seeds (active
detected, declared or manual classifications of personal-data categories), the column
lineage adjacency and the anonymised markers; a breadth-first walk in memory finds every
downstream column; one diff against the stored propagated rows writes only what changed.
Where a dataset has no column lineage in, table lineage carries the categories to columns
of the same name, marked ``weak``.
"""

from collections import defaultdict, deque

from django.db import transaction

from apps.catalog.models import Column, ColumnLineageEdge, LineageEdge
from apps.core.lookups import AnyOf
from apps.privacy.categories import PERSONAL_DATA
from apps.privacy.models import AnonymisedColumn, ColumnClassification, Origin, State

COLUMN_CONFIDENCE = 0.7
TABLE_CONFIDENCE = 0.45


def _seeds() -> dict[int, set[str]]:
    seeds: dict[int, set[str]] = defaultdict(set)
    rows = ColumnClassification.objects.filter(
        category__in=PERSONAL_DATA, state__in=(State.SUGGESTED, State.CONFIRMED)
    ).exclude(origin=Origin.PROPAGATED)
    for column_id, category in rows.values_list("column_id", "category"):
        seeds[column_id].add(category)
    # a confirmed propagated row is an owner's decision: it seeds further propagation too
    for column_id, category in ColumnClassification.objects.filter(
        category__in=PERSONAL_DATA, state=State.CONFIRMED, origin=Origin.PROPAGATED
    ).values_list("column_id", "category"):
        seeds[column_id].add(category)
    return seeds


def _markers() -> tuple[set[int], set[int]]:
    columns, datasets = set(), set()
    for dataset_id, column_id in AnonymisedColumn.objects.values_list("dataset_id", "column_id"):
        (columns.add(column_id) if column_id else datasets.add(dataset_id))
    return columns, datasets


def compute() -> dict[tuple[int, str], tuple[int, bool]]:
    """{(column_id, category): (origin column_id, weak)} for every propagated category."""
    seeds = _seeds()
    if not seeds:
        return {}
    stop_columns, stop_datasets = _markers()
    if stop_datasets:
        stop_columns |= set(Column.objects.filter(AnyOf("dataset_id", stop_datasets)).values_list("id", flat=True))
    children: dict[int, list[int]] = defaultdict(list)
    for up, down in ColumnLineageEdge.objects.values_list("upstream_id", "downstream_id"):
        children[up].append(down)
    result: dict[tuple[int, str], tuple[int, bool]] = {}
    queue = deque((col, cat, col) for col, cats in seeds.items() for cat in cats)
    while queue:
        col, cat, origin = queue.popleft()
        for child in children.get(col, ()):
            if child in stop_columns or (child, cat) in result or cat in seeds.get(child, ()):
                continue
            result[(child, cat)] = (origin, False)
            queue.append((child, cat, origin))
    _table_lineage(seeds, result, stop_columns, stop_datasets)
    return result


def _table_lineage(seeds, result, stop_columns, stop_datasets) -> None:
    """Weak propagation into datasets that have no column lineage at all."""
    with_column_lineage = set(ColumnLineageEdge.objects.values_list("downstream__dataset_id", flat=True).distinct())
    personal_cols = {c for c, _ in result} | set(seeds)
    col_rows = Column.objects.filter(AnyOf("id", personal_cols)).values_list("id", "dataset_id", "name")
    by_dataset: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for cid, did, name in col_rows:
        by_dataset[did].append((cid, name.lower()))
    if not by_dataset:
        return
    edges = list(
        LineageEdge.objects.filter(AnyOf("upstream_id", by_dataset)).values_list("upstream_id", "downstream_id")
    )
    targets = {d for _, d in edges if d not in with_column_lineage and d not in stop_datasets}
    if not targets:
        return
    target_cols: dict[int, dict[str, int]] = defaultdict(dict)
    for cid, did, name in Column.objects.filter(AnyOf("dataset_id", targets)).values_list("id", "dataset_id", "name"):
        target_cols[did][name.lower()] = cid
    cats_of = {c: set(seeds.get(c, ())) for c in personal_cols}
    for (c, cat), _ in result.items():
        cats_of[c].add(cat)
    for up, down in edges:
        if down not in targets:
            continue
        for cid, name in by_dataset.get(up, ()):
            target = target_cols[down].get(name)
            if target is None or target in stop_columns:
                continue
            for cat in cats_of.get(cid, ()):
                if (target, cat) not in result and cat not in seeds.get(target, ()):
                    result[(target, cat)] = (cid, True)


def propagate() -> dict:
    """Write the difference between computed and stored propagated suggestions."""
    wanted = compute()
    with transaction.atomic():
        existing = {
            (r["column_id"], r["category"]): r
            for r in ColumnClassification.objects.values(
                "id", "column_id", "category", "state", "origin", "propagated_from_id", "weak"
            )
        }
        create, update, delete = [], [], []
        for key, (origin, weak) in wanted.items():
            row = existing.get(key)
            if row is None:
                create.append(
                    ColumnClassification(
                        column_id=key[0],
                        category=key[1],
                        origin=Origin.PROPAGATED,
                        state=State.SUGGESTED,
                        confidence=TABLE_CONFIDENCE if weak else COLUMN_CONFIDENCE,
                        rule="lineage:table" if weak else "lineage:column",
                        reason="flows from an upstream column by table lineage (same name)"
                        if weak
                        else "flows from an upstream column by column lineage",
                        propagated_from_id=origin,
                        weak=weak,
                    )
                )
            elif (
                row["origin"] == Origin.PROPAGATED
                and row["state"] == State.SUGGESTED
                and (row["propagated_from_id"] != origin or row["weak"] != weak)
            ):
                update.append((row["id"], origin, weak))
        for key, row in existing.items():
            if row["origin"] == Origin.PROPAGATED and row["state"] == State.SUGGESTED and key not in wanted:
                delete.append(row["id"])
        ColumnClassification.objects.bulk_create(create, batch_size=2000, ignore_conflicts=True)
        for pk, origin, weak in update:
            ColumnClassification.objects.filter(pk=pk).update(
                propagated_from_id=origin,
                weak=weak,
                confidence=TABLE_CONFIDENCE if weak else COLUMN_CONFIDENCE,
                rule="lineage:table" if weak else "lineage:column",
            )
        if delete:
            ColumnClassification.objects.filter(AnyOf("pk", delete)).delete()
    touched = {key[0] for key in wanted if key not in existing} | {
        existing[key]["column_id"] for key, row in existing.items() if row["id"] in set(delete)
    }
    datasets = (
        list(Column.objects.filter(AnyOf("id", touched)).values_list("dataset_id", flat=True).distinct())
        if touched
        else []
    )
    return {"created": len(create), "updated": len(update), "removed": len(delete), "datasets": datasets}
