"""The one search function behind the web page, GraphQL and REST.

``search()`` ranks entries (see ``apps.search.ranking``), counts facets over everything
that matched and marks where each hit matched, in a constant number of queries: one for
typo correction, one statement for the candidates, their facet counts and the page. ``autocomplete()`` is a
single query over names. Bad input raises ``SearchQueryError`` (REST answers 400).

Columns have no entries: their candidates come from ``backend.column_pool`` and their
entry-shaped rows from the column declaration's ``select_sql``, computed for those
candidates only and ranked with the same formula beside the stored entries.
"""

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F

from apps.search.backends import get_backend
from apps.search.errors import SearchQueryError
from apps.search.highlight import highlights
from apps.search.indexer import ENTRY_COLUMNS, select_sql
from apps.search.indexes import search_indexes
from apps.search.indexes.columns import COLUMNS
from apps.search.ranking import score_sql
from apps.search.text import ParsedQuery, parse_query

SCALAR_FACETS = {
    "type": "kind",
    "domain": "domain",
    "platform": "platform",
    "classification": "classification",
    "lifecycle": "lifecycle",
}
MULTI_FACETS = ("tag", "owner")
FACETS = (*SCALAR_FACETS, *MULTI_FACETS)
MAX_FILTER_VALUES = 20
MAX_FILTER_VALUE_CHARS = 200
MAX_PAGE_SIZE = 100
MAX_OFFSET = 10_000
BROWSE_LIMIT = 10_000  # without words, look at this many filtered entries at most
FACET_VALUES_SHOWN = 30
BROWSE_COLUMN_LIMIT = 1000  # without words, columns of the filtered datasets looked at (each row is computed)
# Column rows rank among entries with ids of their own: column id + this, above any entry id
# (so equal scores order entries first, as when columns were entries built after them).
COLUMN_ID_OFFSET = 10**12

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
    corrected: str = ""  # the typo-corrected query when it differs from the one typed


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


def _filter_sql(filters: dict[str, list[str]], *, kinds_pruned: bool = False) -> tuple[str, list]:
    clauses, params = [], []
    for name, values in filters.items():
        if name == "type" and kinds_pruned:
            continue  # the backend runs only the tiers of these kinds
        marks = ", ".join(["%s"] * len(values))
        if name in SCALAR_FACETS:
            clauses.append(f"e.{SCALAR_FACETS[name]} IN ({marks})")
            params += values
        else:
            clauses.append(
                get_backend().id_in(f"SELECT entry_id FROM search_searchfacet WHERE facet = %s AND value IN ({marks})")
            )
            params += [name, *values]
    return " AND ".join(clauses), params


def _pool(query: ParsedQuery, filters) -> tuple[str, list]:
    """SQL for the ids worth ranking: the backend's tiers for words, the filtered set when browsing."""
    if query.terms:
        filter_sql, filter_params = _filter_sql(filters, kinds_pruned=True)
        return get_backend().pool(
            query, filter_sql, filter_params, kinds=set(filters["type"]) if "type" in filters else None
        )
    filter_sql, filter_params = _filter_sql(filters)
    return f"SELECT e.id FROM search_searchentry e WHERE {filter_sql} LIMIT {BROWSE_LIMIT}", filter_params


def _column_pool(query: ParsedQuery, filters) -> tuple[str, list] | None:
    """SQL for the ids of the columns worth ranking, or None when the filters exclude columns.

    A column's scalar facets are its dataset entry's (``de``), its tags its own; it has no owners.
    """
    if "owner" in filters or ("type" in filters and "column" not in filters["type"]):
        return None
    backend = get_backend()
    clauses, params = [], []
    for name, values in filters.items():
        marks = ", ".join(["%s"] * len(values))
        if name == "tag":
            clauses.append(f"EXISTS (SELECT 1 FROM {backend.json_values('c.tags', 'j')} WHERE j.value IN ({marks}))")
            params += values
        elif name != "type":
            clauses.append(f"de.{SCALAR_FACETS[name]} IN ({marks})")
            params += values
    filter_sql = " AND ".join(clauses)
    if query.terms:
        return backend.column_pool(query, filter_sql, params)
    return (
        f"""SELECT c.id FROM search_searchentry de JOIN catalog_column c ON c.dataset_id = de.object_id
            WHERE de.kind = 'dataset' AND {filter_sql or "1 = 1"} LIMIT {BROWSE_COLUMN_LIMIT}""",
        params,
    )


def _column_rows() -> str:
    """Entry-shaped rows (``ENTRY_COLUMNS`` and ``id``) of the columns in ``cpool``."""
    rows = f"{select_sql(COLUMNS)} AND t.id IN (SELECT id FROM cpool)"
    return f"SELECT x.*, x.object_id + {COLUMN_ID_OFFSET} AS id FROM ({rows}) x"


FACET_SELECTS = [
    *(
        f"SELECT 'facet', '{facet}', {column}, count(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM m WHERE {column} <> '' GROUP BY {column}"
        for facet, column in SCALAR_FACETS.items()
    ),
    "SELECT 'facet', f.facet, f.value, count(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM search_searchfacet f JOIN m ON m.id = f.entry_id GROUP BY f.facet, f.value",
]
# A column's tags are read from the column (it has no facet rows).
COLUMN_TAG_FACET = """SELECT 'facet', 'tag', substr(j.value, 1, 200), count(DISTINCT m.id), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM m JOIN catalog_column c ON m.kind = 'column' AND c.id = m.object_id, {tags} GROUP BY substr(j.value, 1, 200)"""


def _facets(rows) -> tuple[int, dict[str, dict[str, int]]]:
    facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    for facet, value, n in rows:
        facets[facet][value] = facets[facet].get(value, 0) + n  # entries' and columns' tags add up
    count = sum(facets["type"].values())
    for name, counts in facets.items():
        facets[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_VALUES_SHOWN])
    return count, facets


def _hits(rows, query: ParsedQuery) -> list[SearchHit]:
    hits = []
    for (
        kind,
        object_id,
        name,
        qualified_name,
        url_arg,
        summary,
        context,
        domain,
        platform,
        classification,
        lifecycle,
        score,
    ) in rows:
        index = search_indexes.get(kind)
        url = index.url(url_arg, name) if index else ""
        marks = highlights(
            {"name": name, "qualified_name": qualified_name, "summary": summary, "context": context}, query
        )
        extra = {
            "domain": domain,
            "platform": platform,
            "classification": classification,
            "lifecycle": lifecycle,
            "context": context,
        }
        hits.append(
            SearchHit(kind, int(object_id), name, qualified_name, url, round(float(score), 4), marks, summary, extra)
        )
    return hits


# What the score and the hit read of an entry (or of a column's row computed like one).
RANKED_COLUMNS = ", ".join(f"e.{c}" for c in ("id", *ENTRY_COLUMNS) if c != "parent_id")
HIT_COLUMNS = "e.kind, e.object_id, e.name, e.qualified_name, e.url_arg, e.summary, e.context, e.domain, e.platform, e.classification, e.lifecycle"


def search(
    q: str, *, filters: dict[str, list[str]] | None = None, page: int = 1, page_size: int = 20, user=None
) -> SearchResult:
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
    pool, pool_params = _pool(query, filters)
    score, score_params = score_sql(query, backend)
    ctes, params = [f"pool AS MATERIALIZED ({pool})"], [*pool_params]
    ranked = "SELECT e.* FROM search_searchentry e JOIN pool ON pool.id = e.id"
    facet_selects = FACET_SELECTS
    column_pool = _column_pool(query, filters)
    if column_pool:
        # Entries and column rows side by side, ranked by one score expression (planned once).
        ctes.append(f"cpool AS MATERIALIZED ({column_pool[0]})")
        params += column_pool[1]
        ranked = f"""SELECT {RANKED_COLUMNS} FROM search_searchentry e JOIN pool ON pool.id = e.id
            UNION ALL SELECT {RANKED_COLUMNS} FROM ({_column_rows()}) e"""
        facet_selects = [*FACET_SELECTS, COLUMN_TAG_FACET.format(tags=backend.json_values("c.tags", "j"))]
    # One statement: the candidate pools once, their facet counts, and the ranked page.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH {", ".join(ctes)},
                m AS MATERIALIZED (SELECT {HIT_COLUMNS}, {score} AS score, e.id FROM ({ranked}) e),
                page AS (SELECT * FROM m ORDER BY score DESC, id LIMIT %s OFFSET %s)
            SELECT 'hit', kind, name, object_id, qualified_name, url_arg, summary, context, domain, platform, classification, lifecycle, score, id FROM page
            UNION ALL {" UNION ALL ".join(facet_selects)}""",
            [*params, *score_params, page_size, offset],
        )
        rows = cursor.fetchall()
    count, facets = _facets([row[1:4] for row in rows if row[0] == "facet"])
    ranked = sorted((r for r in rows if r[0] == "hit"), key=lambda r: (-r[12], r[13]))  # UNION ALL keeps no order
    hits = [(r[1], r[3], r[2], *r[4:13]) for r in ranked]
    corrected = query.corrected_phrase if query.corrected_phrase != query.phrase else ""
    return SearchResult(count, _hits(hits, query), facets, page, page_size, corrected=corrected)


def autocomplete(q: str, *, limit: int = 8, user=None) -> list[SearchHit]:
    """The best few things whose names contain every typed word (the last as a prefix); one query."""
    query = parse_query(q)
    limit = max(1, min(int(limit), 20))
    if not query.terms:
        return []
    backend = get_backend()
    pool, params = backend.suggestion_pool(query)
    score, score_params = score_sql(query, backend)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH pool AS MATERIALIZED ({pool})
                SELECT {HIT_COLUMNS}, {score} AS score FROM search_searchentry e JOIN pool ON pool.id = e.id
                ORDER BY score DESC, e.id LIMIT %s""",
            [*params, *score_params, limit],
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
