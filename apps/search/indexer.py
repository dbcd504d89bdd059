"""Turning index declarations into rows: set-based, one INSERT … SELECT per kind and batch.

``reindex(kind, ids=…)`` rebuilds the entries of those objects (deleting the entries of
objects that no longer exist); ``reindex(kind, parent_ids=…)`` rebuilds every entry owned
by those parents; ``reindex_dependents(model_label, pks)`` rebuilds every entry that
depends on changed objects of a model; ``rebuild()`` rebuilds the whole index. A kind
declared ``stored=False`` (columns) has no entries: its reindex records the column names
new to ``search_searchcolumnname``, whose words its candidates are found by.
"""

import logging
import re
import time

from django.db import connection, transaction

from apps.search.backends import get_backend
from apps.search.indexes import SearchIndex, ordered_indexes, search_indexes
from apps.search.indexes.base import joined

log = logging.getLogger(__name__)

ENTRY_COLUMNS = (
    "kind",
    "object_id",
    "parent_id",
    "name",
    "qualified_name",
    "url_arg",
    "summary",
    "context",
    "keys",
    "text_a",
    "text_b",
    "text_c",
    "text_d",
    "domain",
    "platform",
    "classification",
    "lifecycle",
    "boost",
    "popularity",
)


def _words(*exprs: str) -> str:
    return f"' ' || mesh_search_words({joined(*exprs)}) || ' '"


def _keys(exprs) -> str:
    if not exprs:
        return "'|'"
    return "'|' || " + " || '|' || ".join(f"mesh_search_words({e})" for e in exprs) + " || '|'"


def select_sql(index: SearchIndex) -> str:
    """The SELECT producing ``ENTRY_COLUMNS`` (named so) for every object of the index (filter appended)."""
    keys, words = _keys(index.keys), [_words(*index.weights.get(w, ())) for w in "ABCD"]
    values = [
        f"'{index.kind}'",
        "t.id",
        index.parent,
        f"substr({index.name}, 1, 500)",
        f"substr({index.qualified_name}, 1, 1000)",
        f"CAST({index.url_arg} AS TEXT)",
        f"substr(coalesce({index.summary}, ''), 1, 1000)",
        f"substr(coalesce({index.context}, ''), 1, 1000)",
        keys,
        *words,
        f"coalesce({index.domain}, '')",
        f"coalesce({index.platform}, '')",
        f"coalesce({index.classification}, '')",
        f"coalesce({index.lifecycle}, '')",
        index.boost,
        f"coalesce((SELECT sp.score FROM search_searchpopularity sp WHERE sp.kind = '{index.kind}' AND sp.object_id = t.id), 0)",
    ]
    values = [index.fields.get(column, value) for value, column in zip(values, ENTRY_COLUMNS, strict=True)]
    source = index.source
    for alias, subquery in index.per_row.items():
        if get_backend().lateral:
            source += f" LEFT JOIN LATERAL ({subquery}) {alias} ON true"
        else:
            reference = re.compile(rf"\b{alias}\.value\b")
            values = [reference.sub(lambda _, sql=subquery: f"({sql})", value) for value in values]
    named = ", ".join(f"{value} AS {column}" for value, column in zip(values, ENTRY_COLUMNS, strict=True))
    return f"SELECT {named} FROM {source} WHERE ({index.where})"


def _max_entry_id(cursor) -> int:
    cursor.execute("SELECT coalesce(max(id), 0) FROM search_searchentry")
    return cursor.fetchone()[0]


def _insert(cursor, index: SearchIndex, where: str, params: list) -> int:
    backend = get_backend()
    min_id = _max_entry_id(cursor)
    cursor.execute(f"INSERT INTO search_searchentry ({', '.join(ENTRY_COLUMNS)}) {select_sql(index)} {where}", params)
    inserted = cursor.rowcount
    for facet, sql in index.multi_facets.items():
        sql = sql.replace("{json_values:c.tags:j}", backend.json_values("c.tags", "j"))
        cursor.execute(
            f"""INSERT INTO search_searchfacet (entry_id, facet, value)
                SELECT DISTINCT e.id, %s, substr(x.value, 1, 200) FROM ({sql}) x
                JOIN search_searchentry e ON e.kind = %s AND e.object_id = x.object_id
                WHERE e.id > %s AND x.value IS NOT NULL""",
            [facet, index.kind, min_id],
        )
    backend.after_insert(cursor, min_id)
    return inserted


def _delete(cursor, selection: str, params: list) -> None:
    backend = get_backend()
    backend.before_delete(cursor, selection, params)
    entries = backend.id_in(f"SELECT e.id FROM search_searchentry e WHERE {selection}", column="entry_id")
    cursor.execute(f"DELETE FROM search_searchfacet WHERE {entries}", params)
    cursor.execute(f"DELETE FROM search_searchentry AS e WHERE {selection}", params)


def record_column_names(cursor, names_sql: str, params: list) -> int:
    """Add the column names ``names_sql`` selects that are new to ``search_searchcolumnname``.

    The words are computed once per new distinct name (a harvest of 100,000 columns has a few
    thousand); known names cost one index probe. Their words join the typo vocabulary.
    """
    fresh = f"SELECT n.name FROM ({names_sql}) n WHERE NOT EXISTS (SELECT 1 FROM search_searchcolumnname k WHERE k.name = n.name)"
    return get_backend().add_column_names(cursor, fresh, params)


def reindex(kind: str, *, ids=None, parent_ids=None) -> int:
    """Rebuild the entries of ``kind`` for objects ``ids`` or owned by ``parent_ids``; returns rows written."""
    index = search_indexes.get_or_error(kind)
    backend = get_backend()
    if ids is not None:
        ids = sorted({int(i) for i in ids})
        entries, params = backend.in_list("e.object_id", ids)
        rows, row_params = backend.in_list("t.id", ids)
    elif parent_ids is not None:
        ids = sorted({int(i) for i in parent_ids})
        entries, params = backend.in_list("e.parent_id", ids)
        rows, row_params = backend.in_list(index.parent, ids)
    else:
        raise ValueError("reindex() needs ids or parent_ids; use rebuild() for everything")
    if not ids:
        return 0
    if not index.stored:
        with transaction.atomic(), connection.cursor() as cursor:
            return record_column_names(cursor, f"SELECT DISTINCT t.name FROM catalog_column t WHERE {rows}", row_params)
    with transaction.atomic(), connection.cursor() as cursor:
        backend.begin_batch(cursor)
        backend.lock(cursor, kind)
        _delete(cursor, f"e.kind = %s AND {entries}", [kind, *params])
        return _insert(cursor, index, f"AND {rows}", row_params)


def plan_dependents(model_label: str, pks: list) -> list[tuple[str, str, list]]:
    """``[(kind, "id" | "parent", ids)]`` in build order for a change of ``pks`` of ``model_label``.

    Each index declares, per changed model, which of its entries depend on it (a product edit
    touches the product, its datasets and their columns).
    """
    steps = []
    for index in ordered_indexes():
        depends = index.depends.get(model_label)
        if depends is None:
            continue
        mode, ids = depends(list(pks))
        if ids:
            steps.append((index.kind, mode, list(ids)))
    return steps


def reindex_dependents(model_label: str, pks: list) -> int:
    """Reindex everything depending on ``pks`` of ``model_label`` now; returns entries written."""
    written = 0
    for kind, mode, ids in plan_dependents(model_label, pks):
        written += reindex(kind, **{"ids" if mode == "id" else "parent_ids": ids})
    return written


def rebuild(stdout=None) -> dict[str, int]:
    """Rebuild the whole index from the catalog, kind by kind; returns rows per kind."""
    backend = get_backend()
    counts = {}
    with transaction.atomic(), connection.cursor() as cursor:
        backend.begin_batch(cursor)
        backend.clear(cursor)
        for index in ordered_indexes():
            started = time.monotonic()
            if index.stored:
                counts[index.kind] = _insert(cursor, index, "", [])
            else:
                counts[index.kind] = record_column_names(cursor, "SELECT DISTINCT c.name FROM catalog_column c", [])
            if stdout:
                stdout.write(f"{index.kind}: {counts[index.kind]} entries in {time.monotonic() - started:.1f}s")
        backend.after_rebuild(cursor)
    if not connection.in_atomic_block:
        with connection.cursor() as cursor:
            backend.maintain(cursor)
    return counts
