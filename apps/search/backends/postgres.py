"""PostgreSQL: a weighted ``tsvector`` (generated column, GIN) and ``pg_trgm`` typo correction."""

import zlib

from apps.core.lookups import array_literal
from apps.search.backends.base import (
    ALL_KINDS,
    EMPTY_POOL,
    SearchBackend,
    column_phrases,
    column_tiers,
    kind_clause,
    prefix_tiers,
    wants,
)
from apps.search.backends.base import SMALL_KINDS as SMALL_KIND_NAMES
from apps.search.text import ParsedQuery, pick_corrections

# Trigram neighbours looked at per misspelt word; the edit-distance check keeps the right ones.
NEIGHBOURS = 6
# Candidates per tier. Exact names always make it; beyond these, a common word's long tail
# is not ranked (counts and facets then cover the candidates: a lower bound).
EXACT_LIMIT, SMALL_KINDS_LIMIT, DATASET_LIMIT, COLUMN_LIMIT, SUGGESTION_LIMIT = 100, 500, 600, 150, 60
SMALL_KINDS = "e.kind NOT IN ('column', 'dataset')"
LOCK_NAMESPACE = 0x5EA4C4  # first key of search's advisory locks
GIN_INDEXES = ("search_entry_keys_gin", "search_entry_small_gin", "search_entry_dataset_gin")


class PostgresBackend(SearchBackend):
    """Matching with ``to_tsquery('simple', …)``; vocabulary in ``search_searchword``."""

    vendor = "postgresql"
    lateral = True

    def in_list(self, column, values):
        # one array literal: psycopg's list dumper spent ~15 ms of CPU on 5,000 ids
        literal, element = array_literal(values)
        return f"{column} = ANY(%s::{element}[])", [literal]

    def id_in(self, subquery, column="e.id"):
        # Evaluated once into an array: the planner then probes ids instead of merging a
        # semi-join through the whole primary key (it did, under a LIMIT and in deletes).
        return f"{column} = ANY(ARRAY({subquery}))"

    def json_values(self, expr, alias):
        return f"jsonb_array_elements_text({expr}) AS {alias}(value)"

    def tsquery(self, query: ParsedQuery, *, names_only: bool = False) -> str:
        weight = "A" if names_only else ""
        groups = []
        for term in query.match_terms:
            options = [f"{term}:*{weight}" if query.is_prefix_term(term) else (f"{term}:{weight}" if weight else term)]
            options += [f"{alt}:{weight}" if weight else alt for alt in query.corrections.get(term, [])]
            groups.append("(" + " | ".join(options) + ")")
        return (" & " if names_only else " | ").join(groups)

    def match(self, query, *, names_only=False):
        return "e.document @@ to_tsquery('simple', %s)", [self.tsquery(query, names_only=names_only)]

    def pool(self, query, filters, params, kinds=None):
        extra = f" AND {filters}" if filters else ""
        tsquery = self.tsquery(query)
        phrases = column_phrases(query)
        entry = "SELECT e.id FROM search_searchentry e WHERE"
        tiers = []
        if wants(kinds, *SMALL_KIND_NAMES, "dataset"):
            narrow = kind_clause(kinds, ALL_KINDS)
            tiers.append(
                (
                    f"{entry} e.kind <> 'column' AND e.key_list && %s::text[]{narrow}{extra} LIMIT {EXACT_LIMIT}",
                    [phrases, *params],
                )
            )
        if wants(kinds, *SMALL_KIND_NAMES):
            narrow = kind_clause(kinds, SMALL_KIND_NAMES)
            tiers.append(
                (
                    f"{entry} {SMALL_KINDS} AND e.document @@ to_tsquery('simple', %s){narrow}{extra} LIMIT {SMALL_KINDS_LIMIT}",
                    [tsquery, *params],
                )
            )
        if wants(kinds, "dataset"):
            # A CTE is planned for all its rows, so the GIN finds the matches at once; planned
            # under the LIMIT, the (small: columns have no entries) table was scanned instead,
            # reading thousands of documents for the first 600. The LIMIT still stops the read.
            tiers.append(
                (
                    f"""WITH d AS MATERIALIZED ({entry} e.kind = 'dataset' AND e.document @@ to_tsquery('simple', %s){extra})
                        SELECT d.id FROM d LIMIT {DATASET_LIMIT}""",
                    [tsquery, *params],
                )
            )
        if not tiers:
            return EMPTY_POOL, []
        return " UNION ".join(f"({sql})" for sql, _ in tiers), [p for _, tier_params in tiers for p in tier_params]

    def column_pool(self, query, filters, params):
        extra = f" AND {filters}" if filters else ""
        tiers = column_tiers(
            query,
            extra,
            params,
            strpos=self.strpos,
            limit=COLUMN_LIMIT,
            collate=' COLLATE "C"',
            key_any=lambda parts: ("de.key_list && %s::text[]", [parts]),
            lateral=True,
        )
        return " UNION ".join(f"({sql})" for sql, _ in tiers), [p for _, tier_params in tiers for p in tier_params]

    def add_column_names(self, cursor, names_sql, params):
        # Column names have no entries (hence no document for ts_stat): their words join the
        # typo vocabulary here, counted per new distinct name.
        cursor.execute(
            f"""WITH added AS (
                    INSERT INTO search_searchcolumnname (name, words)
                    SELECT f.name, mesh_search_words(f.name) FROM ({names_sql}) f
                    ON CONFLICT (name) DO NOTHING RETURNING words),
                vocabulary AS (
                    INSERT INTO search_searchword (word, ndoc)
                    SELECT w, count(*) FROM added, unnest(string_to_array(added.words, ' ')) AS w WHERE w <> ''
                    GROUP BY w ON CONFLICT (word) DO NOTHING)
                SELECT count(*) FROM added""",
            params,
        )
        return cursor.fetchone()[0]

    def suggestion_pool(self, query):
        entry = "SELECT e.id FROM search_searchentry e WHERE"
        tiers = [
            (f"{entry} e.kind <> 'column' AND e.key_list && %s::text[] LIMIT {EXACT_LIMIT}", [[query.phrase]]),
            (
                f"{entry} {SMALL_KINDS} AND e.document @@ to_tsquery('simple', %s) LIMIT {SUGGESTION_LIMIT}",
                [self.tsquery(query, names_only=True)],
            ),
            *prefix_tiers("dataset", [query.phrase], "", [], limit=SUGGESTION_LIMIT, collate=' COLLATE "C"'),
        ]
        return " UNION ".join(f"({sql})" for sql, _ in tiers), [p for _, tier_params in tiers for p in tier_params]

    def correct(self, query):
        candidates = [t for t in query.terms if len(t) > 3]
        if not candidates:
            return
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT q.term, w.word, w.ndoc, w.word LIKE q.term || '%%' AS extends
                    FROM unnest(%s::text[]) AS q(term)
                    CROSS JOIN LATERAL (
                        (SELECT word, ndoc FROM search_searchword WHERE word >= q.term AND word < q.term || chr(1114111) ORDER BY word LIMIT 1)
                        UNION ALL
                        (SELECT word, ndoc FROM search_searchword
                         WHERE NOT EXISTS (SELECT 1 FROM search_searchword k WHERE k.word >= q.term AND k.word < q.term || chr(1114111))
                         ORDER BY word <-> q.term LIMIT {NEIGHBOURS})
                    ) AS w""",
                [candidates],
            )
            rows = cursor.fetchall()
        by_term: dict[str, list] = {}
        known = set()
        for term, word, ndoc, extends in rows:
            if extends:
                known.add(term)  # the word itself, or one it starts: being typed, not misspelt
            by_term.setdefault(term, []).append((word, ndoc))
        for term, words in by_term.items():
            if term not in known:
                picked = pick_corrections(term, words)
                if picked:
                    query.corrections[term] = picked

    def begin_batch(self, cursor):
        # The INSERT … SELECT of a batch is estimated costly (a subquery per row), so PostgreSQL
        # JIT-compiles it: ~0.85 s of the 2 s a 5,000-dataset reindex took, for statements run
        # once. Off for the rest of this transaction only.
        cursor.execute("SELECT set_config('jit', 'off', true)")

    def lock(self, cursor, kind):
        # Two commits reindexing the same objects would both delete, then both insert: the
        # second insert would violate (kind, object_id). One kind at a time, others in parallel.
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, zlib.crc32(kind.encode()) & 0x7FFFFFFF])

    def before_delete(self, cursor, selection, params):
        pass  # the tsvector is a column of the entry row: deleting the row removes it

    def after_insert(self, cursor, min_id):
        cursor.execute(
            "INSERT INTO search_searchword (word, ndoc) SELECT word, ndoc FROM ts_stat(%s) ON CONFLICT (word) DO NOTHING",
            [f"SELECT document FROM search_searchentry WHERE id > {int(min_id)}"],
        )
        # New rows wait in the GIN indexes' pending lists, which every search then reads in
        # full (18,000 pending keys after a 5,000-dataset reindex cost ~9 ms a search until
        # autovacuum came by). Merging them now, in bulk, is cheaper than either.
        cursor.execute(f"SELECT {', '.join(f'gin_clean_pending_list({i!r}::regclass)' for i in GIN_INDEXES)}")

    def after_rebuild(self, cursor):
        cursor.execute("TRUNCATE search_searchword")
        cursor.execute(
            "INSERT INTO search_searchword (word, ndoc) SELECT word, ndoc FROM ts_stat('SELECT document FROM search_searchentry')"
        )
        # Column names have no entries (hence no document): their words, counted per distinct name.
        cursor.execute(
            """INSERT INTO search_searchword (word, ndoc)
               SELECT w, count(*) FROM search_searchcolumnname, unnest(string_to_array(words, ' ')) AS w
               WHERE w <> '' GROUP BY w ON CONFLICT (word) DO NOTHING"""
        )
        cursor.execute("ANALYZE search_searchentry")
        cursor.execute("ANALYZE search_searchfacet")
        cursor.execute("ANALYZE search_searchword")
        cursor.execute("ANALYZE search_searchcolumnname")

    def maintain(self, cursor):
        # A fresh bulk load has no visibility map or hint bits yet: the first searches would
        # pay for writing them. VACUUM sets both (and cannot run inside a transaction).
        cursor.execute(
            "VACUUM (ANALYZE) search_searchentry, search_searchfacet, search_searchword, search_searchcolumnname"
        )

    def clear(self, cursor):
        cursor.execute("TRUNCATE search_searchfacet, search_searchentry, search_searchcolumnname")
