"""PostgreSQL: a weighted ``tsvector`` (generated column, GIN) and ``pg_trgm`` typo correction."""
from apps.search.backends.base import SearchBackend
from apps.search.text import ParsedQuery, pick_corrections

# Trigram neighbours looked at per misspelt word; the edit-distance check keeps the right ones.
NEIGHBOURS = 6


class PostgresBackend(SearchBackend):
    """Matching with ``to_tsquery('simple', …)``; vocabulary in ``search_searchword``."""

    vendor = "postgresql"

    def in_list(self, column, values):
        return f"{column} = ANY(%s)", [list(values)]

    def json_values(self, expr, alias):
        return f"jsonb_array_elements_text({expr}) AS {alias}(value)"

    def tsquery(self, query: ParsedQuery, *, names_only: bool = False) -> str:
        weight = "A" if names_only else ""
        groups = []
        for i, term in enumerate(query.terms):
            options = [f"{term}:*{weight}" if query.is_prefix_term(i) else (f"{term}:{weight}" if weight else term)]
            options += [f"{alt}:{weight}" if weight else alt for alt in query.corrections.get(term, [])]
            groups.append("(" + " | ".join(options) + ")")
        return (" & " if names_only else " | ").join(groups)

    def match(self, query, *, names_only=False):
        return "e.document @@ to_tsquery('simple', %s)", [self.tsquery(query, names_only=names_only)]

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
                        (SELECT word, ndoc FROM search_searchword ORDER BY word <-> q.term LIMIT {NEIGHBOURS})
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

    def after_insert(self, cursor, min_id):
        cursor.execute(
            "INSERT INTO search_searchword (word, ndoc) SELECT word, ndoc FROM ts_stat(%s) ON CONFLICT (word) DO NOTHING",
            [f"SELECT document FROM search_searchentry WHERE id > {int(min_id)}"],
        )

    def after_rebuild(self, cursor):
        cursor.execute("TRUNCATE search_searchword")
        cursor.execute("INSERT INTO search_searchword (word, ndoc) SELECT word, ndoc FROM ts_stat('SELECT document FROM search_searchentry')")
        cursor.execute("ANALYZE search_searchentry")
        cursor.execute("ANALYZE search_searchfacet")
        cursor.execute("ANALYZE search_searchword")

    def clear(self, cursor):
        cursor.execute("TRUNCATE search_searchfacet, search_searchentry")
