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


def column_tiers(
    query: ParsedQuery,
    extra: str,
    params: list,
    *,
    strpos: str,
    limit: int | None,
    collate: str = "",
    key_any=None,
    lateral: bool = False,
) -> list[tuple[str, list]]:
    """Columns (``c.id``) whose name starts with a phrase, whose dataset's name starts with it, or
    whose dataset's exact name starts it followed by the start of the column's name.

    Columns have no entries (``apps.search.indexes.columns``): names come from the small
    ``search_searchcolumnname`` through its prefix index, then ``catalog_column`` by name;
    ``orders.order_id`` is a dataset key (``orders``) followed by a column name prefix. The
    dataset's entry ``de`` carries the facets ``extra`` filters on. ``key_any(parts)`` is an
    optional indexable predicate on ``de`` (one of ``parts`` is an exact key of it). With
    ``lateral`` each name's columns are read under their own limit, in id order, so that a
    name borne by 50,000 columns is read as a range of the (name, id) index that stops at the
    limit (not a bitmap of all 50,000, nor a scan of the table hoping to meet them early).
    """
    limit_sql = f" LIMIT {limit}" if limit else ""
    words_expr = f"(n.words{collate})"
    dataset = "JOIN search_searchentry de ON de.kind = 'dataset' AND de.object_id = c.dataset_id"
    names = f"SELECT n.name FROM search_searchcolumnname n WHERE {words_expr} >= %s AND {words_expr} < %s ORDER BY {words_expr}"
    tiers = []
    for phrase in column_phrases(query):
        if lateral:
            sql = f"""SELECT x.id FROM ({names}) n CROSS JOIN LATERAL (
                SELECT c.id FROM catalog_column c {dataset} WHERE c.name = n.name{extra} ORDER BY c.id{limit_sql}) x{limit_sql}"""
        else:
            sql = f"SELECT c.id FROM ({names}) n JOIN catalog_column c ON c.name = n.name {dataset} WHERE 1 = 1{extra}{limit_sql}"
        tiers.append((sql, [phrase, phrase + MAX_CHAR, *params]))
        # The phrase starts a dataset's name (its entry's name words, by the name-prefix index):
        # that dataset's columns, whose exact names (orders.order_id) the phrase starts too.
        named = f"((de.kind || ':' || de.text_a){collate})"
        tiers.append(
            (
                f"""SELECT c.id FROM search_searchentry de JOIN catalog_column c ON c.dataset_id = de.object_id
                    WHERE {named} >= %s AND {named} < %s{extra} ORDER BY {named}{limit_sql}""",
                [f"dataset: {phrase}", f"dataset: {phrase}" + MAX_CHAR, *params],
            )
        )
        words = phrase.split()
        pairs = [(" ".join(words[:k]), " ".join(words[k:])) for k in range(1, len(words))]
        if not pairs:
            continue
        driving, driving_params = key_any([ds for ds, _ in pairs]) if key_any else ("1 = 1", [])
        either = " OR ".join(f"({strpos}(de.keys, %s) > 0 AND substr(n.words, 1, {len(col)}) = %s)" for _, col in pairs)
        tiers.append(
            (
                f"""SELECT c.id FROM search_searchentry de JOIN catalog_column c ON c.dataset_id = de.object_id
                    JOIN search_searchcolumnname n ON n.name = c.name
                    WHERE de.kind = 'dataset' AND {driving} AND ({either}){extra}{limit_sql}""",
                [*driving_params, *(p for ds, col in pairs for p in (f"|{ds}|", col)), *params],
            )
        )
    return tiers


class SearchBackend(ABC):
    """What the indexer and the service need from a database vendor."""

    vendor: str = ""
    lateral: bool = False  # joins LATERAL subqueries (an index's ``per_row`` values)
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
        Entries are matched by their words (columns, which have none, by ``column_pool``);
        a backend may cap each tier so that common words stay cheap.
        """

    @abstractmethod
    def column_pool(self, query: ParsedQuery, filters: str, params: list) -> tuple[str, list]:
        """SQL selecting the ids of the columns worth ranking for ``query`` (``filters`` on ``c`` and ``de``)."""

    def add_column_names(self, cursor, names_sql: str, params: list) -> int:
        """Insert the names ``names_sql`` selects (new ones) with their words; returns how many.

        One statement whatever the batch. A backend whose typo vocabulary is not read from
        the full-text structure also adds the words there.
        """
        cursor.execute(
            f"""INSERT INTO search_searchcolumnname (name, words)
                SELECT f.name, mesh_search_words(f.name) FROM ({names_sql}) f WHERE true
                ON CONFLICT (name) DO NOTHING""",
            params,
        )
        return cursor.rowcount

    @abstractmethod
    def suggestion_pool(self, query: ParsedQuery) -> tuple[str, list]:
        """SQL selecting ids of entries (not columns) whose names contain every word of ``query``."""

    @abstractmethod
    def correct(self, query: ParsedQuery) -> None:
        """Fill ``query.corrections`` for words that are no indexed word nor a prefix of one."""

    def begin_batch(self, cursor) -> None:
        """A reindex or rebuild starts in this transaction (session settings for its statements)."""
        return None

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
        cursor.execute("DELETE FROM search_searchcolumnname")
        cursor.execute("DELETE FROM search_searchfacet")
        cursor.execute("DELETE FROM search_searchentry")
