"""The search page and the search-as-you-type suggestions, over ``apps.search.service``.

Facet links keep the query and every active filter in the URL (``?q=orders&type=product
&domain=sales``) and swap only the results through htmx with ``hx-push-url``, so a search
can be shared and the back button works.
"""

from urllib.parse import urlencode

from django.shortcuts import render

from apps.catalog.views.common import read_allowed, reader_required, render_partial_or_page
from apps.catalog.views.extensions import badges_for

FACETS = ("type", "domain", "platform", "tag", "owner", "classification", "lifecycle")
FACET_LABELS = {
    "type": "Type",
    "domain": "Domain",
    "platform": "Platform",
    "tag": "Tag",
    "owner": "Owner",
    "classification": "Classification",
    "lifecycle": "Lifecycle",
}
PAGE_SIZE = 20
MAX_QUERY_CHARS = 200  # longer input is cut (and the page says so): no query needs more
COLUMNS_SHOWN_PER_DATASET = 3
# Why a hit matched, in words (the index's field names are not for people).
MATCH_LABELS = {
    "qualified_name": "Full name",
    "context": "Found in",
    "description": "Description",
    "summary": "Summary",
    "columns": "Columns",
    "tags": "Tags",
    "owners": "Owners",
}


def group_column_hits(hits) -> list[dict]:
    """Hits as the page lists them: column hits gathered under their dataset.

    A query such as ``id`` matches a column in many tables; the first few columns of a
    dataset are shown under one entry, with how many more matched there.
    """
    items, groups = [], {}
    for hit in hits:
        if hit.type != "column":
            items.append({"hit": hit, "columns": [], "more": 0})
            continue
        parent = hit.qualified_name.rsplit(".", 1)[0] if "." in hit.qualified_name else hit.qualified_name
        group = groups.get(parent)
        if group is None:
            group = groups[parent] = {"hit": None, "parent": parent, "columns": [], "more": 0}
            items.append(group)
        if len(group["columns"]) < COLUMNS_SHOWN_PER_DATASET:
            group["columns"].append(hit)
        else:
            group["more"] += 1
    return items


def _filters(request) -> dict[str, list[str]]:
    return {name: values for name in FACETS if (values := [v for v in request.GET.getlist(name) if v])}


def _query_string(q: str, filters: dict[str, list[str]], page: int | None = None) -> str:
    pairs = [("q", q)] if q else []
    pairs += [(name, value) for name, values in filters.items() for value in values]
    if page and page > 1:
        pairs.append(("page", page))
    return "?" + urlencode(pairs)


def _facet_groups(facets: dict, q: str, filters: dict) -> list[dict]:
    """Each facet value with its count, whether it is active, and the URL that toggles it."""
    groups = []
    for name in FACETS:
        values = facets.get(name) or {}
        active = set(filters.get(name, []))
        items = []
        for value, count in sorted(values.items(), key=lambda kv: (-kv[1], kv[0])):
            toggled = {k: list(v) for k, v in filters.items()}
            toggled[name] = (
                [v for v in toggled.get(name, []) if v != value] if value in active else [*toggled.get(name, []), value]
            )
            toggled = {k: v for k, v in toggled.items() if v}
            items.append({"value": value, "count": count, "active": value in active, "url": _query_string(q, toggled)})
        for value in active - set(values):
            toggled = {k: [x for x in v if not (k == name and x == value)] for k, v in filters.items()}
            items.append(
                {
                    "value": value,
                    "count": 0,
                    "active": True,
                    "url": _query_string(q, {k: v for k, v in toggled.items() if v}),
                }
            )
        if items:
            groups.append({"name": name, "label": FACET_LABELS[name], "items": items})
    return groups


@reader_required
def search_page(request):
    from apps.search.service import MAX_OFFSET, SearchQueryError, search

    raw = request.GET.get("q", "").strip()
    q = raw[:MAX_QUERY_CHARS]
    filters = _filters(request)
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    context = {"q": q, "filters": filters, "error": None, "result": None, "notes": []}
    if len(raw) > MAX_QUERY_CHARS:
        context["notes"].append(f"Your query was cut to its first {MAX_QUERY_CHARS} characters.")
    last_servable = MAX_OFFSET // PAGE_SIZE + 1
    asked = page
    page = min(page, last_servable)
    try:
        result = search(q, filters=filters or None, page=page, page_size=PAGE_SIZE, user=request.user)
        pages = max(1, -(-result.count // PAGE_SIZE))
        if page > pages and result.count:
            page = min(pages, last_servable)
            result = search(q, filters=filters or None, page=page, page_size=PAGE_SIZE, user=request.user)
    except SearchQueryError as exc:
        context["error"] = str(exc)
    else:
        pages = max(1, -(-result.count // PAGE_SIZE))
        badges = badges_for([h.id for h in result.results if h.type == "product"])  # e.g. "contract violated"
        for hit in result.results:
            hit.badges = badges.get(hit.id, []) if hit.type == "product" else []
        if asked != page:
            context["notes"].append(
                f"There is no page {asked:,}: the results have {min(pages, last_servable):,} page"
                f"{'s' if pages != 1 else ''}; this is the last one."
            )
        context.update(
            result=result,
            items=group_column_hits(result.results),
            corrected=result.corrected,
            match_labels=MATCH_LABELS,
            facet_groups=_facet_groups(result.facets, q, filters),
            prev_url=_query_string(q, filters, page - 1) if page > 1 else None,
            next_url=_query_string(q, filters, page + 1) if page < min(pages, last_servable) else None,
            pages=pages,
            active_filters=[(FACET_LABELS[k], v) for k, vs in filters.items() for v in vs],
            clear_url=_query_string(q, {}),
        )
    return render_partial_or_page(request, "search/partials/search_results.html", "search/search.html", context)


def search_suggest(request):
    """A short list under the search box while typing (htmx).

    An anonymous visitor without public read gets a link to log in — never a redirect,
    which htmx would follow and paste the whole login page into the suggestions.
    """
    from apps.search.service import SearchQueryError, autocomplete

    if not read_allowed(request):
        return render(request, "search/partials/search_suggest_login.html", {"q": request.GET.get("q", "")[:200]})

    q = request.GET.get("q", "").strip()
    hits = []
    if len(q) >= 2:
        try:
            hits = autocomplete(q, limit=8, user=request.user)
        except SearchQueryError:
            hits = []
    return render(request, "search/partials/search_suggest.html", {"q": q, "hits": hits})
