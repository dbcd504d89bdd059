"""Ranked, faceted, typo-tolerant search in the catalog's own database (README "Search").

Beyond the common anatomy (README "Layout"):
    backends/     PostgreSQL (tsvector + pg_trgm) and SQLite (FTS5) behind one SearchBackend
    indexes/      index declarations, one module per kind (the app-wide form of search.py)
    errors.py     errors of the search service
    freshness.py  the change listener that keeps the index fresh
    highlight.py  where a hit matched, HTML-escaped
    indexer.py    declarations into rows: set-based INSERT … SELECT per kind and batch
    ranking.py    the ranking formula as one portable SQL expression
    service.py    the one search function behind the page, GraphQL and REST
    text.py       how text becomes search words, at index and query time
"""
