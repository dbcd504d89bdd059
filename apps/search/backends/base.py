"""The small interface between the search service and a database's full-text machinery.

Everything portable (index rows, ranking, facets, filters) is plain SQL shared by both
backends; a backend only says how to match words (tsquery or FTS5 MATCH), how to keep its
full-text structure and vocabulary in step with ``SearchEntry``, how to find the indexed
words a misspelt word may mean, and how to spell a few SQL functions.
"""

from abc import ABC, abstractmethod

from apps.search.text import ParsedQuery

MAX_CHAR = chr(0x10FFFF)  # upper bound of a prefix range: every string starting with p is in [p, p + MAX_CHAR)


def prefix_tiers(
    kind: str, phrases: list[str], extra: str, params: list, *, limit: int | None, collate: str = ""
) -> list[tuple[str, list]]:
    """Entries of ``kind`` whose name, or one of whose exact names, starts with a phrase (btree ranges)."""
    tiers = []
    for phrase in phrases:
        for column, start in (("text_a", f"{kind}: {phrase}"), ("keys", f"{kind}:|{phrase}")):
            expr = f"((e.kind || ':' || e.{column}){collate})"  # the expression of the name-prefix indexes
            sql = f"SELECT e.id FROM search_searchentry e WHERE {expr} >= %s AND {expr} < %s{extra}"
            tiers.append((sql + (f" LIMIT {limit}" if limit else ""), [start, start + MAX_CHAR, *params]))
    return tiers


SMALL_KINDS = frozenset({"product", "domain", "team", "person", "tag"})


def wants(kinds: set[str] | None, *candidates: str) -> bool:
    return kinds is None or bool(kinds & set(candidates))


def kind_clause(kinds: set[str] | None, among) -> str:
    """`` AND e.kind IN (…)`` narrowing a tier to the wanted kinds (names are checked, never raw input)."""
    if kinds is None:
        return ""
    wanted = sorted(k for k in kinds if k in set(among))
    return f" AND e.kind IN ({', '.join(repr(k) for k in wanted)})" if wanted else " AND 1 = 0"


EMPTY_POOL = "SELECT e.id FROM search_searchentry e WHERE 1 = 0"
ALL_KINDS = ("product", "dataset", "column", "domain", "team", "person", "tag")


def column_phrases(query: ParsedQuery) -> list[str]:
    """The phrases a column's name is looked up by: as typed, and typo-corrected."""
    return list(dict.fromkeys([query.phrase, query.corrected_phrase]))


class SearchBackend(ABC):
    """What the indexer and the service need from a database vendor."""

    vendor: str = ""
    strpos: str = "strpos"  # position of a substring, 0 when absent
    greatest: str = "greatest"

    @abstractmethod
    def in_list(self, column: str, values: list) -> tuple[str, list]:
        """``column IN values`` as one bound parameter where the database allows it."""

    def id_in(self, subquery: str, column: str = "e.id") -> str:
        """``column`` is one of the ids ``subquery`` selects (facet filters, facet deletes)."""
        return f"{column} IN ({subquery})"

    @abstractmethod
    def json_values(self, expr: str, alias: str) -> str:
        """A FROM item listing the elements of JSON array ``expr`` as ``alias.value``."""

    @abstractmethod
    def match(self, query: ParsedQuery, *, names_only: bool = False) -> tuple[str, list]:
        """A predicate on entry ``e``: it contains one of the words (or all, ``names_only``, in its names)."""

    @abstractmethod
    def pool(self, query: ParsedQuery, filters: str, params: list, kinds: set[str] | None = None) -> tuple[str, list]:
        """SQL selecting the ids of the entries worth ranking for ``query`` within ``filters``.

        ``kinds`` (from a type filter) drops the tiers of other kinds before they run.
        Columns are matched by their name or qualified name (prefix), everything else by
        its words; a backend may cap each tier so that common words stay cheap.
        """

    @abstractmethod
    def suggestion_pool(self, query: ParsedQuery) -> tuple[str, list]:
        """SQL selecting ids of entries (not columns) whose names contain every word of ``query``."""

    @abstractmethod
    def correct(self, query: ParsedQuery) -> None:
        """Fill ``query.corrections`` for words that are no indexed word nor a prefix of one."""

    @abstractmethod
    def lock(self, cursor, kind: str) -> None:
        """Serialise reindexing of one kind until the transaction ends (concurrent batches)."""

    @abstractmethod
    def before_delete(self, cursor, selection: str, params: list) -> None:
        """Entries matching ``selection`` (a predicate on ``e``) are about to be deleted."""

    @abstractmethod
    def after_insert(self, cursor, min_id: int) -> None:
        """Entries with ``id > min_id`` were just inserted."""

    @abstractmethod
    def after_rebuild(self, cursor) -> None:
        """The whole index was rebuilt (refresh statistics, vocabularies)."""

    @abstractmethod
    def maintain(self, cursor) -> None:
        """After a committed rebuild: tidy the tables outside any transaction (vacuum, optimise)."""

    def clear(self, cursor) -> None:
        cursor.execute("DELETE FROM search_searchfacet")
        cursor.execute("DELETE FROM search_searchentry")
