"""Quality checks (upserted by key) and their results (appended, never overwritten)."""

from apps.catalog.models import QualityCategory, QualityCheck, QualityResult, QualityStatus
from apps.harvest.pipeline.refs import label, resolve_refs

BATCH = 2000
CHECK_FIELDS = ("name", "check_type", "category", "column_name", "definition")


def reconcile_quality(source, batch, outcome, report, now) -> set[int]:
    existing = {
        (row["dataset_id"], row["key"]): row
        for row in QualityCheck.objects.filter(source=source).values(
            "pk", "dataset_id", "key", "removed_at", *CHECK_FIELDS
        )
    }
    if not batch.quality and not existing:
        return set()
    ids = resolve_refs({q.dataset for q in batch.quality}, outcome.ids)
    desired = {}
    for rec in batch.quality:
        ds = ids.get(rec.dataset)
        if ds is None:
            report.warn(
                "quality_unresolved",
                "A quality check names a dataset that is not in the catalog; it was skipped.",
                label(rec.dataset),
            )
            continue
        desired[(ds, rec.key)] = rec
    upserts = []
    for key, rec in desired.items():
        fields = {
            "name": rec.name[:300],
            "check_type": rec.check_type[:100],
            "category": rec.category if rec.category in QualityCategory.values else QualityCategory.OTHER,
            "column_name": rec.column_name[:300],
            "definition": rec.definition,
        }
        row = existing.get(key)
        if row is None or row["removed_at"] is not None or any(row[f] != fields[f] for f in CHECK_FIELDS):
            upserts.append(QualityCheck(dataset_id=key[0], key=key[1][:500], source=source, removed_at=None, **fields))
    if upserts:
        QualityCheck.objects.bulk_create(
            upserts,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["dataset", "key"],
            update_fields=[*CHECK_FIELDS, "source", "removed_at"],
        )
    check_ids = {key: row["pk"] for key, row in existing.items()} | {(c.dataset_id, c.key): c.pk for c in upserts}
    gone = [row["pk"] for key, row in existing.items() if key not in desired and row["removed_at"] is None]
    if gone:
        QualityCheck.objects.filter(pk__in=gone).update(removed_at=now)
    added = _append_results(desired, check_ids, report, now)
    report.add("quality_checks", len(desired))
    report.add("quality_checks_changed", len(upserts))
    report.add("quality_checks_removed", len(gone))
    report.add("quality_results_added", added)
    touched = {c.dataset_id for c in upserts} | {
        existing_key[0] for existing_key, row in existing.items() if row["pk"] in gone
    }
    return touched


def _append_results(desired, check_ids, report, now) -> int:
    results = {(check_ids[key], rec.run_key or "latest"): rec for key, rec in desired.items() if rec.status}
    if not results:
        return 0
    known = set(
        QualityResult.objects.filter(
            quality_check_id__in={k[0] for k in results}, run_key__in={k[1] for k in results}
        ).values_list("quality_check_id", "run_key")
    )
    rows = []
    for (check_id, run_key), rec in results.items():
        if (check_id, run_key) in known:
            continue
        if rec.status not in QualityStatus.values:
            report.warn(
                "quality_status_unknown", f"Unknown quality status '{rec.status}'; the result was skipped.", rec.key
            )
            continue
        rows.append(
            QualityResult(
                quality_check_id=check_id,
                status=rec.status,
                observed_at=rec.observed_at or now,
                run_key=run_key[:200],
                failures=rec.failures,
                message=rec.message,
            )
        )
    QualityResult.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return len(rows)
