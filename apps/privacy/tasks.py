"""Celery tasks: detection after a harvest, and the derived state (propagation, conflicts).

Both take ids, re-read the catalog and are idempotent (a rerun writes the same rows), so
``acks_late`` redelivery is safe; each records its outcome on a ``DetectionRun`` row.
"""

from celery import shared_task
from django.conf import settings


@shared_task(acks_late=True, reject_on_worker_lost=True, name="apps.privacy.tasks.detect_datasets")
def detect_datasets(dataset_ids: list[int], trigger: str = "harvest", sample: bool | None = None):
    from apps.privacy.actions.classifications import detect_pii

    if sample is None:
        sample = settings.MESH_PRIVACY_SAMPLE_AFTER_HARVEST
    run = detect_pii(dataset_ids, sample_values=sample, trigger=trigger)
    return {"run": run.pk, "suggestions": run.suggestions, "warnings": len(run.warnings)}


@shared_task(acks_late=True, reject_on_worker_lost=True, name="apps.privacy.tasks.refresh_privacy")
def refresh_privacy():
    from apps.privacy.actions.classifications import refresh_derived

    return refresh_derived()


@shared_task(acks_late=True, reject_on_worker_lost=True, name="apps.privacy.tasks.refresh_conflicts")
def refresh_conflicts():
    from apps.privacy.conflicts import refresh_conflicts as refresh

    return refresh()
