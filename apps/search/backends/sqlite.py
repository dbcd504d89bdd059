"""SQLite (the embedded default): an FTS5 table kept in step with ``SearchEntry``.

SQLite has none of PostgreSQL's text functions, so every connection gets Python twins of
the SQL functions the index declarations use (``mesh_search_words``, ``mesh_last_two``,
``string_agg``, ``strpos``): the same declarations build the same rows on both databases.
"""

import json

from apps.search.backends.base import ALL_KINDS, SearchBackend, column_tiers, kind_clause, prefix_tiers
from apps.search.text import ParsedQuery, last_two_parts, pick_corrections, search_words

FTS_COLUMNS = ("text_a", "keys", "text_b", "text_c", "text_d")


class _StringAgg:
    """``string_agg(value, separator)`` as PostgreSQL defines it (NULLs skipped, NULL when empty)."""

    def __init__(self):
        self.parts, self.sep = [], ""

    def step(self, value, sep):
        if value is not None:
            self.parts.append(str(value))
            self.sep = sep

    def finalize(self):
        return self.sep.join(self.parts) if self.parts else None


def _strpos(text, needle):
    """PostgreSQL's ``strpos``: 1-based position of ``needle``, 0 when absent (NULL in, NULL out)."""
    if text is None or needle is None:
        return None
    return text.find(needle) + 1


def install_functions(connection) -> None:
    """Register the SQL functions on a new SQLite connection (``connection_created``)."""
    raw = connection.connection
    raw.create_function("mesh_search_words", 1, search_words, deterministic=True)
    raw.create_function("mesh_last_two", 1, last_two_parts, deterministic=True)
    raw.create_aggregate("string_agg", 2, _StringAgg)
    raw.create_function("strpos", 2, _strpos, deterministic=True)


def _fts_string(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class SqliteBackend(SearchBackend):
    """Matching with FTS5 ``MATCH``; vocabulary from the ``fts5vocab`` table."""

    vendor = "sqlite"
    strpos = "instr"
    greatest = "max"

    def in_list(self, column, values):
        return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(values))]

    def json_values(self, expr, alias):
        return f"json_each({expr}) AS {alias}"

    def fts_query(self, query: ParsedQuery, *, names_only: bool = False) -> str:
        groups = []
        for term in query.match_terms:
            options = [_fts_string(term) + (" *" if query.is_prefix_term(term) else "")]
            options += [_fts_string(alt) for alt in query.corrections.get(term, [])]
            groups.append("(" + " OR ".join(options) + ")")
        expr = (" AND " if names_only else " OR ").join(groups)
        # Like PostgreSQL's document: D-weight context ranks but does not select.
        return ("{text_a keys} : (" if names_only else "{text_a keys text_b text_c} : (") + expr + ")"

    def match(self, query, *, names_only=False):
        return "e.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)", [
            self.fts_query(query, names_only=names_only)
        ]

    def pool(self, query, filters, params, kinds=None):
        # The embedded catalog is small: every match is ranked, no tier is capped.
        extra = f" AND {filters}" if filters else ""
        match, match_params = self.match(query)
        narrow = kind_clause(kinds, ALL_KINDS)
        tiers = [
            (
                f"SELECT e.id FROM search_searchentry e WHERE e.kind <> 'column' AND {match}{narrow}{extra}",
                [*match_params, *params],
            )
        ]
        return " UNION ".join(sql for sql, _ in tiers), [p for _, tier_params in tiers for p in tier_params]

    def column_pool(self, query, filters, params):
        extra = f" AND {filters}" if filters else ""
        tiers = column_tiers(query, extra, params, strpos=self.strpos, limit=None)
        # SQLite refuses ORDER BY inside a compound SELECT's parts: wrap each.
        return " UNION ".join(f"SELECT * FROM ({sql})" for sql, _ in tiers), [
            p for _, tier_params in tiers for p in tier_params
        ]

    def suggestion_pool(self, query):
        match, params = self.match(query, names_only=True)
        tiers = [(f"SELECT e.id FROM search_searchentry e WHERE e.kind <> 'column' AND {match}", params)]
        tiers += prefix_tiers("dataset", [query.phrase], "", [], limit=None)
        return " UNION ".join(sql for sql, _ in tiers), [p for _, tier_params in tiers for p in tier_params]

    def correct(self, query):
        from django.db import connection

        candidates = [t for t in query.terms if len(t) > 3]
        if not candidates:
            return
        # Neighbours share the first letter or the second (a swapped first pair), length ± 2;
        # words the term starts (it is being typed, not misspelt) come back in the same query.
        clauses, params = [], []
        for term in candidates:
            clauses.append("(substr(term, 1, 1) IN (%s, %s) AND length(term) BETWEEN %s AND %s)")
            clauses.append("(term >= %s AND term < %s || char(1114111))")
            params += [term[0], term[1], len(term) - 2, len(term) + 2, term, term]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT term, doc FROM search_fts_vocab WHERE {' OR '.join(clauses)}", params)
            rows = cursor.fetchall()
        for term in candidates:
            if not any(word.startswith(term) for word, _ in rows):
                picked = pick_corrections(term, rows)
                if picked:
                    query.corrections[term] = picked

    def lock(self, cursor, kind):
        pass  # SQLite has one writer at a time: the transaction already serialises reindexing

    def before_delete(self, cursor, selection, params):
        cursor.execute(
            f"DELETE FROM search_fts WHERE rowid IN (SELECT e.id FROM search_searchentry e WHERE {selection})", params
        )

    def after_insert(self, cursor, min_id):
        cols = ", ".join(FTS_COLUMNS)
        cursor.execute(
            f"INSERT INTO search_fts (rowid, {cols}) SELECT id, {cols} FROM search_searchentry WHERE id > %s", [min_id]
        )

    def after_rebuild(self, cursor):
        pass  # FTS5 keeps its vocabulary (fts5vocab) and statistics itself as rows are inserted

    def maintain(self, cursor):
        cursor.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")

    def clear(self, cursor):
        cursor.execute("DELETE FROM search_fts")
        super().clear(cursor)
