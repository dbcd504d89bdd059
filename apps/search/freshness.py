"""Keeping the index fresh: what to reindex when catalog objects change.

``apps.core.hooks`` calls ``on_objects_changed(model, pks)`` after a write commits. Each
index declares, per changed model, which of its entries depend on it (a product edit
touches the product, its datasets and their columns). Small changes are indexed at once,
in-process, so an edit is searchable as soon as it is committed; big batches (a harvest)
go to Celery in chunks, each chunk one set-based pass (in-process when tasks are eager).
The imports run one way: this listener → ``tasks`` → ``indexer`` (which does the work).
"""

import logging

from apps.search.indexer import reindex_dependents
from apps.search.indexes import ordered_indexes
from apps.search.tasks import reindex_changed

log = logging.getLogger(__name__)

SYNC_LIMIT = 2000  # changed objects indexed in the committing process
# Objects per background task. Each chunk pays fixed passes (facets, vocabulary, GIN pending
# lists) and a 10,000-dataset chunk is ~1 s of work: a 5,250-table first harvest is one pass,
# not 5,000 + a 250 tail paying them again.
CHUNK = 10_000


def on_objects_changed(model, pks) -> None:
    """Change listener: reindex what depends on ``pks`` of ``model``, now or in background chunks."""
    label = model._meta.label
    if not any(label in index.depends for index in ordered_indexes()):
        return
    pks = sorted(set(pks))
    try:
        if len(pks) <= SYNC_LIMIT:
            reindex_dependents(label, pks)
            return
        for start in range(0, len(pks), CHUNK):
            reindex_changed.delay(label, pks[start : start + CHUNK])
    except Exception:  # the write is committed; `manage.py reindex` repairs what this missed
        log.exception("search: reindexing %s %s failed", label, pks[:20])
