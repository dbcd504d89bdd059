"""The one search function behind the web page, GraphQL and REST.

``search()`` ranks entries (see ``apps.search.ranking``), counts facets over everything
that matched and marks where each hit matched, in a constant number of queries: one for
typo correction, one for facets and the total, one for the page. ``autocomplete()`` is a
single query over names. Bad input raises ``SearchQueryError`` (REST answers 400).
"""
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F

from apps.search.backends import get_backend
from apps.search.errors import SearchQueryError
from apps.search.highlight import highlights
from apps.search.indexes import search_indexes
from apps.search.ranking import score_sql
from apps.search.text import ParsedQuery, parse_query

SCALAR_FACETS = {"type": "kind", "domain": "domain", "platform": "platform", "classification": "classification", "lifecycle": "lifecycle"}
MULTI_FACETS = ("tag", "owner")
FACETS = (*SCALAR_FACETS, *MULTI_FACETS)
MAX_FILTER_VALUES = 20
MAX_FILTER_VALUE_CHARS = 200
MAX_PAGE_SIZE = 100
MAX_OFFSET = 10_000
BROWSE_LIMIT = 10_000  # without words, look at this many filtered entries at most
FACET_VALUES_SHOWN = 30

__all__ = ["SearchHit", "SearchQueryError", "SearchResult", "autocomplete", "bump_popularity", "search"]


@dataclass
class SearchHit:
    """One ranked result: what it is, where it lives, why it matched."""

    type: str
    id: int
    name: str
    qualified_name: str
    url: str
    score: float
    highlights: dict[str, str]
    summary: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class SearchResult:
    """A page of hits with the total and the facet counts of everything that matched."""

    count: int
    results: list[SearchHit]
    facets: dict[str, dict[str, int]]
    page: int
    page_size: int


def clean_filters(filters) -> dict[str, list[str]]:
    cleaned = {}
    for name, values in (filters or {}).items():
        if name not in FACETS:
            raise SearchQueryError(f"Unknown filter '{name}'; filter on {', '.join(FACETS)}.")
        if isinstance(values, str):
            values = [values]
        values = [str(v).strip() for v in values if v is not None and str(v).strip()]
        if len(values) > MAX_FILTER_VALUES:
            raise SearchQueryError(f"Too many values for filter '{name}' (at most {MAX_FILTER_VALUES}).")
        if any(len(v) > MAX_FILTER_VALUE_CHARS for v in values):
            raise SearchQueryError(f"A value of filter '{name}' is too long.")
        if values:
            cleaned[name] = list(dict.fromkeys(values))
    return cleaned


def _filter_sql(filters: dict[str, list[str]]) -> tuple[str, list]:
    clauses, params = [], []
    for name, values in filters.items():
        marks = ", ".join(["%s"] * len(values))
        if name in SCALAR_FACETS:
            clauses.append(f"e.{SCALAR_FACETS[name]} IN ({marks})")
            params += values
        else:
            clauses.append(f"e.id IN (SELECT entry_id FROM search_searchfacet WHERE facet = %s AND value IN ({marks}))")
            params += [name, *values]
    return " AND ".join(clauses), params


def _where(query: ParsedQuery, filters) -> tuple[str, list, bool]:
    backend = get_backend()
    clauses, params = [], []
    if query.terms:
        sql, match_params = backend.match(query)
        clauses.append(sql)
        params += match_params
    filter_sql, filter_params = _filter_sql(filters)
    if filter_sql:
        clauses.append(filter_sql)
        params += filter_params
    return " AND ".join(clauses) or "1 = 1", params, not query.terms


def _facets(cursor, where: str, params: list, browse: bool) -> tuple[int, dict[str, dict[str, int]]]:
    limit = f" LIMIT {BROWSE_LIMIT}" if browse else ""
    selects = [f"SELECT '{facet}' AS facet, {column} AS value, count(*) AS n FROM m WHERE {column} <> '' GROUP BY {column}" for facet, column in SCALAR_FACETS.items()]
    selects.append("SELECT f.facet, f.value, count(*) FROM search_searchfacet f JOIN m ON m.id = f.entry_id GROUP BY f.facet, f.value")
    cursor.execute(
        f"""WITH m AS MATERIALIZED (
                SELECT e.id, e.kind, e.domain, e.platform, e.classification, e.lifecycle
                FROM search_searchentry e WHERE {where}{limit})
            {' UNION ALL '.join(selects)}""",
        params,
    )
    facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for facet, value, n in cursor.fetchall():
        facets[facet][value] = n
    count = sum(facets["type"].values())
    for name, counts in facets.items():
        facets[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_VALUES_SHOWN])
    return count, facets


def _hits(rows, query: ParsedQuery) -> list[SearchHit]:
    hits = []
    for kind, object_id, name, qualified_name, url_arg, summary, context, domain, platform, classification, lifecycle, score in rows:
        index = search_indexes.get(kind)
        url = index.url(url_arg, name) if index else ""
        marks = highlights({"name": name, "qualified_name": qualified_name, "summary": summary, "context": context}, query)
        extra = {"domain": domain, "platform": platform, "classification": classification, "lifecycle": lifecycle, "context": context}
        hits.append(SearchHit(kind, object_id, name, qualified_name, url, round(float(score), 4), marks, summary, extra))
    return hits


HIT_COLUMNS = "e.kind, e.object_id, e.name, e.qualified_name, e.url_arg, e.summary, e.context, e.domain, e.platform, e.classification, e.lifecycle"


def search(q: str, *, filters: dict[str, list[str]] | None = None, page: int = 1, page_size: int = 20, user=None) -> SearchResult:
    """Rank everything matching ``q`` (any word, typos forgiven) within ``filters``."""
    query = parse_query(q)
    filters = clean_filters(filters)
    try:
        page, page_size = int(page), int(page_size)
    except (TypeError, ValueError):
        raise SearchQueryError("page and page_size must be whole numbers.") from None
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise SearchQueryError(f"page starts at 1; page_size is between 1 and {MAX_PAGE_SIZE}.")
    offset = (page - 1) * page_size
    if offset > MAX_OFFSET:
        raise SearchQueryError(f"Results beyond the first {MAX_OFFSET} are not served; refine the query.")
    if not query.terms and not filters:
        return SearchResult(0, [], {name: {} for name in FACETS}, page, page_size)
    backend = get_backend()
    if query.terms:
        backend.correct(query)
    where, params, browse = _where(query, filters)
    score, score_params = score_sql(query, backend)
    source = f"(SELECT * FROM search_searchentry e WHERE {where} LIMIT {BROWSE_LIMIT}) e" if browse else f"search_searchentry e WHERE {where}"
    with connection.cursor() as cursor:
        count, facets = _facets(cursor, where, params, browse)
        cursor.execute(
            f"SELECT {HIT_COLUMNS}, {score} AS score FROM {source} ORDER BY score DESC, e.id LIMIT %s OFFSET %s",
            [*score_params, *params, page_size, offset],
        )
        rows = cursor.fetchall()
    return SearchResult(count, _hits(rows, query), facets, page, page_size)


def autocomplete(q: str, *, limit: int = 8, user=None) -> list[SearchHit]:
    """The best few things whose names contain every typed word (the last as a prefix); one query."""
    query = parse_query(q)
    limit = max(1, min(int(limit), 20))
    if not query.terms:
        return []
    backend = get_backend()
    match, params = backend.match(query, names_only=True)
    score, score_params = score_sql(query, backend)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT {HIT_COLUMNS}, {score} AS score FROM search_searchentry e
                WHERE e.kind <> 'column' AND {match} ORDER BY score DESC, e.id LIMIT %s""",
            [*score_params, *params, limit],
        )
        rows = cursor.fetchall()
    return _hits(rows, query)


def bump_popularity(type: str, id: int, amount: float = 1.0) -> None:
    """Count a view or a query run of an object; ranks it above equally good matches."""
    from apps.search.models import SearchEntry, SearchPopularity

    with transaction.atomic():
        updated = SearchPopularity.objects.filter(kind=type, object_id=id).update(score=F("score") + amount)
        if not updated:
            SearchPopularity.objects.create(kind=type, object_id=id, score=amount)
        SearchEntry.objects.filter(kind=type, object_id=id).update(popularity=F("popularity") + amount)
