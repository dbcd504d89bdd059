"""Reacting to harvests: datasets that changed get their columns classified after commit."""

from django.db import transaction


def on_objects_changed(model, pks) -> None:
    """Registered with ``apps.core.hooks``; runs after the writer's transaction committed."""
    if model._meta.label != "catalog.Dataset" or not pks:
        return
    from django.conf import settings

    if not settings.MESH_PRIVACY_DETECT_AFTER_HARVEST:
        return
    from apps.privacy.tasks import detect_datasets

    ids = sorted(set(pks))
    # already after commit, but on_commit keeps it safe when called inside a transaction
    transaction.on_commit(lambda: detect_datasets.delay(ids))
