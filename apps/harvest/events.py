"""Event types of harvests, and the set-based emission of a run's schema changes.

``emit_schema_changes`` is called once per run by the pipeline with the change rows it
just wrote: one ``mesh.dataset.schema_changed`` per changed dataset, all in one INSERT, in
the run's transaction (a failed run emits nothing).
"""

from collections import defaultdict

from apps.core.events import EVENT_TYPES, emit, emit_many, register_event_type

HARVEST_EVENT_TYPES = {
    "mesh.dataset.schema_changed": ("A harvest found a dataset's columns changed (breaking or not).", True),
    "mesh.harvest.failed": ("A harvest of a source failed; the catalog was left as it was.", False),
}

#: changes listed in one event; the rest are counted (the dataset's history has them all)
MAX_CHANGES_PER_EVENT = 50


def register_harvest_event_types() -> None:
    for name, (description, downstream) in HARVEST_EVENT_TYPES.items():
        if name not in EVENT_TYPES:
            register_event_type(name, description, downstream=downstream)


def emit_schema_changes(run, changes) -> int:
    """One event per dataset among ``changes`` (SchemaChange rows, unsaved or saved)."""
    from apps.catalog.models import Dataset, SchemaChangeType

    by_dataset = defaultdict(list)
    for change in changes:
        if change.change_type != SchemaChangeType.DATASET_ADDED:
            by_dataset[change.dataset_id].append(change)
    if not by_dataset:
        return 0
    names = {
        pk: (namespace, name, domain or "", domain_id)
        for pk, namespace, name, domain, domain_id in Dataset.objects.filter(pk__in=list(by_dataset)).values_list(
            "pk", "namespace", "name", "domain__slug", "domain_id"
        )
    }
    specs = []
    for pk, rows in by_dataset.items():
        namespace, name, domain, domain_id = names.get(pk, ("", str(pk), "", None))
        breaking = any(c.is_breaking for c in rows)
        specs.append(
            {
                "type": "mesh.dataset.schema_changed",
                "subject": f"dataset/{namespace}/{name}",
                "domain": domain,
                "actor_label": f"harvest:{run.source.name}" if run is not None else "harvest",
                "data": {
                    "dataset_id": pk,
                    "domain_id": domain_id,
                    "dataset": f"{namespace}/{name}",
                    "namespace": namespace,
                    "name": name,
                    "breaking": breaking,
                    "schema_version_id": rows[0].schema_version_id,
                    "harvest_run_id": run.pk if run is not None else None,
                    "change_count": len(rows),
                    "changes": [
                        {
                            "type": c.change_type,
                            "column": c.column_name,
                            "before": c.before,
                            "after": c.after,
                            "breaking": c.is_breaking,
                        }
                        for c in rows[:MAX_CHANGES_PER_EVENT]
                    ],
                },
            }
        )
    emit_many(specs)
    return len(specs)


def emit_harvest_failed(run, errors: list) -> None:
    source = run.source
    emit(
        "mesh.harvest.failed",
        subject=f"source/{source.name}",
        data={
            "source_id": source.pk,
            "source": source.name,
            "kind": source.kind,
            "run_id": run.pk,
            "errors": [{"code": e.get("code"), "message": e.get("message")} for e in errors[:10]],
        },
        actor=None,
    )
