"""What a lab engine is: one warehouse kind behind the runner's guard rails.

The runner (``apps.lab.runner``) owns the locks that do not depend on the warehouse:
permission, rate limit, the query log, popularity. An engine owns what does: which of a
port's datasets it can query, where the reader connection comes from, the SQL dialect
and the refusals specific to it, and executing one already-checked SELECT read-only with
a timeout, a row cap and a byte cap, cancellable by token. Engines register in
``ENGINES`` (``apps.lab.engines``) keyed by the source kind, which is also the scheme of
the datasets' OpenLineage namespace (``postgres://…``, ``duckdb://…``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from apps.lab.sql_checks import PortTable, QueryRefused, check_query, port_table

if TYPE_CHECKING:  # sqlglot is imported where SQL is checked, not at start-up (the engines register in ready())
    from sqlglot import exp


class EngineError(Exception):
    """The warehouse refused or failed a run.

    ``kind`` is ``timeout`` (stopped by the statement timeout or a cancel; the runner tells
    them apart), ``unreachable`` (the reader could not connect) or ``query`` (the database's
    own error, with ``position`` 1-based into the user's SQL when known).
    """

    def __init__(self, message: str, *, kind: str = "query", position: int | None = None):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.position = position


@dataclass
class Execution:
    """Columns and (capped) rows of one run; ``truncated`` is "", "rows" or "bytes"."""

    columns: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    truncated: str = ""


def cap_rows(rows: list, row_cap: int, byte_cap: int) -> tuple[list[list], str]:
    """At most ``row_cap`` rows and about ``byte_cap`` bytes of their text; which cap cut."""
    truncated = ""
    if len(rows) > row_cap:
        rows, truncated = rows[:row_cap], "rows"
    size, out = 0, []
    for row in rows:
        size += sum(len(str(v)) for v in row if v is not None) + len(row)
        if size > byte_cap:
            return out, "bytes"
        out.append(list(row))
    return out, truncated


class Engine:
    """Base class of a lab engine. Subclasses set the class attributes and the hooks."""

    kind: str = ""  # the source kind and namespace scheme this engine queries
    dialect: str = ""  # sqlglot dialect of the warehouse
    label: str = ""  # shown on the panel ("PostgreSQL", "DuckDB")
    configure_hint: str = ""  # what the platform team configures when no reader resolves
    # Functions refused on top of sql_checks' own list (file readers, settings, …).
    forbidden_functions: frozenset[str] = frozenset()

    # --- which datasets, which reader ---------------------------------------------------

    def queryable(self, dataset) -> bool:
        """Whether this engine can query ``dataset`` (live, in a namespace of its kind)."""
        return dataset.removed_at is None and dataset_engine_kind(dataset) == self.kind

    def port_tables(self, datasets) -> list[PortTable]:
        return [port_table(d.name) for d in datasets if self.queryable(d)]

    def reader(self, port, datasets):
        """The resolved reader connection for these datasets, or None when none is configured."""
        raise NotImplementedError

    # --- checks -------------------------------------------------------------------------

    def check(self, sql: str, tables: list[PortTable]) -> exp.Expression:
        """sql_checks in this engine's dialect, then the engine's own refusals."""
        ast = check_query(sql, tables, dialect=self.dialect)
        self.refuse(sql, ast)
        return ast

    def refuse(self, sql: str, ast: exp.Expression) -> None:
        """Raise QueryRefused for what this warehouse makes dangerous; the default refuses
        ``forbidden_functions``."""
        from sqlglot import exp

        from apps.lab.sql_checks import _position

        for node in ast.walk():
            if isinstance(node, exp.Func):
                name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
                if name in self.forbidden_functions:
                    raise QueryRefused(
                        f"The function {name}() is not allowed in the lab.",
                        position=_position(sql, node),
                        code="forbidden_function",
                    )

    # --- running ------------------------------------------------------------------------

    def execute(
        self, reader, tables, sql: str, *, token: str, row_cap: int, byte_cap: int, timeout_ms: int, on_start=None
    ) -> Execution:
        """Run one checked SELECT read-only; raise EngineError on the warehouse's refusal.

        ``on_start(backend_id)`` is called once the statement is about to run (the runner
        records the id so that a cancel can find it).
        """
        raise NotImplementedError

    def cancel(self, reader, token: str) -> bool:
        """Stop the run ``token`` if it is still running; True when something was signalled."""
        return False

    # --- five-minute path ---------------------------------------------------------------

    def snippets(self, port, datasets, example_sql: str, first_table=None) -> list:
        """Connection snippets (``apps.lab.snippets.Snippet``) for this warehouse."""
        return []


def dataset_engine_kind(dataset) -> str:
    """The engine kind of a dataset: its namespace's scheme (``postgres://h:5432`` → postgres).

    A dbt model is named by the relation it materializes into, so a dataset documented by
    dbt still carries the warehouse's scheme; the platform is the fallback.
    """
    scheme = (dataset.namespace or "").split("://", 1)[0] if "://" in (dataset.namespace or "") else ""
    return scheme or dataset.platform or ""
