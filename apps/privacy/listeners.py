"""Reacting to writes elsewhere: harvested datasets get classified, product edits re-check conflicts."""

from django.db import transaction

_CONFLICT_INPUTS = {"catalog.DataProduct", "catalog.Port"}


def on_objects_changed(model, pks) -> None:
    """Registered with ``apps.core.hooks``; runs after the writer's transaction committed."""
    label = model._meta.label
    if not pks or (label != "catalog.Dataset" and label not in _CONFLICT_INPUTS):
        return
    from django.conf import settings

    from apps.privacy import tasks

    if label in _CONFLICT_INPUTS:  # classification or published datasets may have changed
        transaction.on_commit(lambda: tasks.refresh_conflicts.delay())
        return
    if not settings.MESH_PRIVACY_DETECT_AFTER_HARVEST:
        return
    ids = sorted(set(pks))
    transaction.on_commit(lambda: tasks.detect_datasets.delay(ids))
