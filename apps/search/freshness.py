"""Keeping the index fresh: what to reindex when catalog objects change.

``apps.core.hooks`` calls ``on_objects_changed(model, pks)`` after a write commits. Each
index declares, per changed model, which of its entries depend on it (a product edit
touches the product, its datasets and their columns). Small changes are indexed at once,
in-process, so an edit is searchable as soon as it is committed; big batches (a harvest)
go to Celery in chunks, each chunk one set-based pass (in-process when tasks are eager).
"""

import logging

from apps.search.indexes import ordered_indexes

log = logging.getLogger(__name__)

SYNC_LIMIT = 2000  # changed objects indexed in the committing process
CHUNK = 5000  # objects per background task


def plan(model_label: str, pks: list) -> list[tuple[str, str, list]]:
    """``[(kind, "id" | "parent", ids)]`` in build order for a change of ``pks`` of ``model_label``."""
    steps = []
    for index in ordered_indexes():
        depends = index.depends.get(model_label)
        if depends is None:
            continue
        mode, ids = depends(list(pks))
        if ids:
            steps.append((index.kind, mode, list(ids)))
    return steps


def apply(model_label: str, pks: list) -> int:
    """Reindex everything depending on ``pks`` now; returns entries written."""
    from apps.search.indexer import reindex

    written = 0
    for kind, mode, ids in plan(model_label, pks):
        written += reindex(kind, **{"ids" if mode == "id" else "parent_ids": ids})
    return written


def on_objects_changed(model, pks) -> None:
    label = model._meta.label
    if not any(label in index.depends for index in ordered_indexes()):
        return
    pks = sorted(set(pks))
    try:
        if len(pks) <= SYNC_LIMIT:
            apply(label, pks)
            return
        from apps.search.tasks import reindex_changed

        for start in range(0, len(pks), CHUNK):
            reindex_changed.delay(label, pks[start : start + CHUNK])
    except Exception:  # the write is committed; `manage.py reindex` repairs what this missed
        log.exception("search: reindexing %s %s failed", label, pks[:20])
