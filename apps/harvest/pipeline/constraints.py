"""Primary keys, unique and foreign keys of the datasets a run added or changed."""

from apps.catalog.models import DatasetConstraint
from apps.harvest.pipeline.bulk import dumps, insert_new, upsert
from apps.harvest.pipeline.refs import resolve_refs


def reconcile_constraints(batch, outcome, report) -> None:
    """Replace the constraints of changed datasets (constraints are part of the record digest)."""
    if not outcome.dirty:
        return
    records = [batch.datasets[ref] for ref in outcome.dirty]
    targets = resolve_refs({c.referenced for r in records for c in r.constraints if c.referenced}, outcome.ids)
    old_ids = [pk for pk in outcome.dirty.values() if pk not in outcome.new]  # new datasets have none yet
    if old_ids:
        DatasetConstraint.objects.filter(dataset_id__in=old_ids).delete()
    rows = []
    for record in records:
        seen = set()
        for c in record.constraints:
            if c.name in seen:
                continue
            seen.add(c.name)
            referenced = targets.get(c.referenced) if c.kind == "foreign_key" and c.referenced else None
            rows.append(
                (
                    outcome.dirty[record.ref],
                    c.name[:300],
                    c.kind,
                    dumps(list(c.columns)),
                    referenced,
                    dumps(list(c.referenced_columns)),
                    c.definition,
                )
            )
    fields = ["dataset_id", "name", "kind", "columns", "referenced_dataset_id", "referenced_columns", "definition"]
    insert_new(DatasetConstraint, fields, [row for row in rows if row[0] in outcome.new])
    upsert(DatasetConstraint, fields, [row for row in rows if row[0] not in outcome.new])
    report.add("constraints", len(rows))
