"""What an index declaration is: which rows, which fields with which weight, which facets.

A declaration is SQL expressions over a source query (alias ``t`` for the main table), so
that the indexer turns it into one ``INSERT … SELECT`` per kind — set-based for one row or
a million — on PostgreSQL and SQLite alike (``mesh_search_words``, ``mesh_last_two`` and
``string_agg`` exist on both; see ``apps.search.backends``).

Weights: **A** names (whole-word and prefix hits rank highest), **B** qualified names and
tags, **C** descriptions, **D** owners, a table's column names and other context — D words
rank an entry that matched otherwise but do not make it a candidate on their own.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from apps.core.registry import Registry

WEIGHTS = ("A", "B", "C", "D")

# Static rank boosts. Kind: products above the datasets behind them, datasets above
# their columns. Lifecycle: deprecated, retired and removed things sink but stay findable.
KIND_BOOST = {"product": 8, "domain": 6, "team": 5, "person": 5, "dataset": 4, "tag": 3, "column": 0}
# The sink is worth less than one name word: a deprecated thing that matches better still wins.
LIFECYCLE_BOOST = {"published": 3, "draft": 0, "deprecated": -6, "retired": -8, "removed": -10}


def lifecycle_boost_sql(expr: str) -> str:
    cases = " ".join(f"WHEN '{k}' THEN {v}" for k, v in LIFECYCLE_BOOST.items())
    return f"(CASE {expr} {cases} ELSE 0 END)"


def joined(*exprs: str) -> str:
    """SQL concatenating expressions with spaces, NULL-safe."""
    return " || ' ' || ".join(f"coalesce({e}, '')" for e in exprs) if exprs else "''"


@dataclass(frozen=True)
class SearchIndex:
    """How one kind of catalog object becomes rows of ``SearchEntry`` and ``SearchFacet``.

    ``source`` is the FROM clause (main table aliased ``t``); every other attribute is a
    SQL expression over it, except ``url``: a function of the stored ``url_arg`` and name.
    ``multi_facets`` maps a facet (tag, owner) to a query yielding ``(object_id, value)`` pairs. ``parent`` names the owning object (a column's dataset):
    entries are rebuilt per parent, so rows deleted and recreated with new ids leave no
    stale entry behind. ``depends`` maps a changed model (``app_label.Model``) to a function
    of the changed pks returning ``("id" | "parent", ids)`` of this kind to reindex.
    """

    kind: str
    source: str
    name: str
    qualified_name: str
    url_arg: str
    url: Callable[[str, str], str]
    keys: tuple[str, ...]
    weights: dict[str, tuple[str, ...]]
    summary: str = "''"
    context: str = "''"
    domain: str = "''"
    platform: str = "''"
    classification: str = "''"
    lifecycle: str = "''"
    parent: str = "NULL"
    where: str = "1 = 1"  # which rows of the source are searchable
    multi_facets: dict[str, str] = field(default_factory=dict)
    depends: dict[str, Callable] = field(default_factory=dict)
    order: int = 0  # build order: columns read their dataset's entry
    # False: no rows are written; ``select_sql`` of the declaration is evaluated at query time
    # for the candidates the backend finds (columns: see ``apps.search.indexes.columns``).
    stored: bool = True
    # Per-row values read by several fields, computed once per row: alias → a one-row aggregate
    # subquery over ``t`` yielding ``value``, referenced as ``alias.value``. PostgreSQL joins it
    # LATERAL; SQLite (no LATERAL) gets the subquery inlined at every reference.
    per_row: dict[str, str] = field(default_factory=dict)
    # Entry fields (``keys``, ``text_a``…) given as finished SQL instead of split from ``keys``
    # and ``weights`` by ``mesh_search_words`` — for rows computed at query time from words
    # split already (a column's name words, its dataset's entry).
    fields: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        unknown = set(self.weights) - set(WEIGHTS)
        if unknown:
            raise ValueError(f"{self.kind}: unknown weight(s) {sorted(unknown)}; use {WEIGHTS}")

    @property
    def boost(self) -> str:
        return f"({KIND_BOOST[self.kind]} + {lifecycle_boost_sql(self.lifecycle)})"


search_indexes = Registry("search indexes")


def register(index: SearchIndex) -> SearchIndex:
    return search_indexes.register(index.kind, index)


def ordered_indexes() -> list[SearchIndex]:
    return sorted(search_indexes.values(), key=lambda i: (i.order, i.kind))


def route(viewname: str, fragment: Callable[[str], str] | None = None) -> Callable[[str, str], str]:
    """The URL of a hit from its stored ``url_arg`` (slug or id), resolved when results are served.

    Resolving at query time keeps the index independent of URL changes and of the URLconf.
    """

    def build(arg: str, name: str) -> str:
        from django.urls import NoReverseMatch, reverse

        try:
            url = reverse(viewname, args=[arg])
        except NoReverseMatch:
            return ""
        return url + (fragment(name) if fragment else "")

    return build


SEARCH_PAGE = "/search/"


def search_page(facet: str) -> Callable[[str, str], str]:
    """The search page filtered on one facet value (people, teams and tags have no page of their own)."""
    from urllib.parse import quote

    return lambda arg, name: f"{SEARCH_PAGE}?{facet}={quote(arg)}"
