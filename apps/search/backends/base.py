"""The small interface between the search service and a database's full-text machinery.

Everything portable (index rows, ranking, facets, filters) is plain SQL shared by both
backends; a backend only says how to match words (tsquery or FTS5 MATCH), how to keep its
full-text structure and vocabulary in step with ``SearchEntry``, how to find the indexed
words a misspelt word may mean, and how to spell a few SQL functions.
"""
from abc import ABC, abstractmethod

from apps.search.text import ParsedQuery


class SearchBackend(ABC):
    """What the indexer and the service need from a database vendor."""

    vendor: str = ""
    strpos: str = "strpos"  # position of a substring, 0 when absent
    greatest: str = "greatest"

    @abstractmethod
    def in_list(self, column: str, values: list) -> tuple[str, list]:
        """``column IN values`` as one bound parameter where the database allows it."""

    @abstractmethod
    def json_values(self, expr: str, alias: str) -> str:
        """A FROM item listing the elements of JSON array ``expr`` as ``alias.value``."""

    @abstractmethod
    def match(self, query: ParsedQuery, *, names_only: bool = False) -> tuple[str, list]:
        """A predicate on entry ``e``: it contains one of the words (or all, ``names_only``, in its names)."""

    @abstractmethod
    def correct(self, query: ParsedQuery) -> None:
        """Fill ``query.corrections`` for words that are no indexed word nor a prefix of one."""

    def before_delete(self, cursor, selection: str, params: list) -> None:
        """Entries matching ``selection`` (a predicate on ``e``) are about to be deleted."""

    def after_insert(self, cursor, min_id: int) -> None:
        """Entries with ``id > min_id`` were just inserted."""

    def after_rebuild(self, cursor) -> None:
        """The whole index was rebuilt (refresh statistics, vocabularies)."""

    def clear(self, cursor) -> None:
        cursor.execute("DELETE FROM search_searchfacet")
        cursor.execute("DELETE FROM search_searchentry")
