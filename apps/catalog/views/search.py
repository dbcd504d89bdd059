"""The search page and the search-as-you-type suggestions, over ``apps.search.service``.

Facet links keep the query and every active filter in the URL (``?q=orders&type=product
&domain=sales``) and swap only the results through htmx with ``hx-push-url``, so a search
can be shared and the back button works.
"""

from urllib.parse import urlencode

from django.shortcuts import render

from apps.catalog.views.common import read_allowed, reader_required, render_partial_or_page

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
    from apps.search.service import SearchQueryError, search

    q = request.GET.get("q", "").strip()
    filters = _filters(request)
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    context = {"q": q, "filters": filters, "error": None, "result": None}
    try:
        result = search(q, filters=filters or None, page=page, page_size=PAGE_SIZE, user=request.user)
    except SearchQueryError as exc:
        context["error"] = str(exc)
    else:
        pages = max(1, -(-result.count // PAGE_SIZE))
        context.update(
            result=result,
            facet_groups=_facet_groups(result.facets, q, filters),
            prev_url=_query_string(q, filters, page - 1) if page > 1 else None,
            next_url=_query_string(q, filters, page + 1) if page < pages else None,
            pages=pages,
            active_filters=[(FACET_LABELS[k], v) for k, vs in filters.items() for v in vs],
            clear_url=_query_string(q, {}),
        )
    return render_partial_or_page(request, "catalog/partials/search_results.html", "catalog/search.html", context)


def search_suggest(request):
    """A short list under the search box while typing (htmx).

    An anonymous visitor without public read gets a link to log in — never a redirect,
    which htmx would follow and paste the whole login page into the suggestions.
    """
    from apps.search.service import SearchQueryError, autocomplete

    if not read_allowed(request):
        return render(request, "catalog/partials/search_suggest_login.html", {"q": request.GET.get("q", "")[:200]})

    q = request.GET.get("q", "").strip()
    hits = []
    if len(q) >= 2:
        try:
            hits = autocomplete(q, limit=8, user=request.user)
        except SearchQueryError:
            hits = []
    return render(request, "catalog/partials/search_suggest.html", {"q": q, "hits": hits})
