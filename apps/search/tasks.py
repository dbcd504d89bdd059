"""Background reindexing of big batches (harvests); eager in the embedded mode."""

from celery import shared_task

from apps.search.indexer import reindex_dependents


@shared_task(acks_late=True, name="search.reindex_changed")
def reindex_changed(model_label: str, pks: list) -> int:
    """Reindex what depends on ``pks`` of ``model_label`` (idempotent: entries are rebuilt, not appended)."""
    return reindex_dependents(model_label, pks)
