"""Static checks on lab SQL with sqlglot: one read-only statement over the port's tables.

This is the first of two locks. The runner also executes inside a ``READ ONLY``
transaction, so a statement that slips past the parser still cannot write. Functions are
checked against an allow-list (``apps.lab.sql_functions``), by the names the database will
see: every word the tokenizer finds right before ``(``. Checking tokens rather than the
parsed tree means a function sqlglot happens to model under another name cannot slip by.
The ``dialect`` parameter lets the DuckDB and MySQL engines reuse every check.

sqlglot is imported by the functions that parse, not by this module: the light helpers here
(``PortTable``, ``port_table``, ``QueryRefused``) are imported by the lab's and privacy's
registrations in ``AppConfig.ready()``, i.e. by every process's start-up (``manage.py harvest``,
workers), which mostly never parse lab SQL.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings

from apps.core.errors import ActionError
from apps.lab.sql_functions import allowed_functions

if TYPE_CHECKING:
    from sqlglot import exp

DIALECT = "postgres"
# Where each dialect keeps its built-in functions (a schema-qualified call must name it).
BUILTIN_SCHEMAS = {"postgres": ("pg_catalog",), "duckdb": ("main", "pg_catalog"), "mysql": ()}


@functools.cache
def _forbidden_nodes() -> tuple[type, ...]:
    """Node types that write, change the session or run something other than a query."""
    from sqlglot import exp

    return (
        exp.Insert,
        exp.Update,
        exp.Delete,
        exp.Merge,
        exp.Create,
        exp.Drop,
        exp.Alter,
        exp.Command,
        exp.Copy,
        exp.TruncateTable,
        exp.Set,
        exp.Transaction,
        exp.Commit,
        exp.Rollback,
        exp.Grant,
        exp.Into,
        exp.Lock,
        exp.LoadData,
        exp.Use,
        exp.Pragma,
        exp.Cache,
        exp.Uncache,
        exp.Refresh,
    )


class QueryRefused(ActionError):
    """The lab will not run this SQL; ``position`` (1-based) points at the problem when known."""

    code = "refused"

    def __init__(self, message: str, *, position: int | None = None, code: str | None = None):
        super().__init__(message, field="sql", code=code or self.code)
        self.position = position


@dataclass(frozen=True)
class PortTable:
    """A table the port exposes, as SQL names it (``schema.table`` in ``database``)."""

    database: str
    schema: str
    table: str

    @property
    def sql_name(self) -> str:
        return f"{quote_ident(self.schema)}.{quote_ident(self.table)}" if self.schema else quote_ident(self.table)


def quote_ident(name: str) -> str:
    """Quote an identifier only when PostgreSQL needs it (keeps generated SQL readable)."""
    from sqlglot.tokens import Tokenizer

    if (
        name
        and (name.islower() or not any(c.isalpha() for c in name))
        and name.replace("_", "a").isalnum()
        and not name[0].isdigit()
        and not Tokenizer.KEYWORDS.get(name.upper())
    ):
        return name
    return '"' + name.replace('"', '""') + '"'


def port_table(dataset_name: str) -> PortTable:
    """``db.schema.table`` (OpenLineage naming of a PostgreSQL relation) → PortTable."""
    parts = dataset_name.split(".")
    if len(parts) >= 3:
        return PortTable(parts[0], parts[1], ".".join(parts[2:]))
    if len(parts) == 2:
        return PortTable("", parts[0], parts[1])
    return PortTable("", "", dataset_name)


def _position(sql: str, node: exp.Expression | None) -> int | None:
    """1-based character position of ``node`` in ``sql`` (best effort, from its first token)."""
    if node is None:
        return None
    starts = [n.meta["start"] for n in node.walk() if "start" in (getattr(n, "_meta", None) or {})]
    return min(starts) + 1 if starts else None


def parse_select(sql: str, dialect: str = DIALECT) -> exp.Expression:
    """Parse ``sql`` as exactly one SELECT (or WITH … SELECT, or a set operation of them)."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError, SqlglotError

    if not sql or not sql.strip():
        raise QueryRefused("Write a query first.", code="empty")
    limit = getattr(settings, "MESH_LAB_MAX_SQL_CHARS", 20_000)
    if len(sql) > limit:
        raise QueryRefused(f"The query is longer than {limit:,} characters (MESH_LAB_MAX_SQL_CHARS).", code="too_long")
    try:
        statements = [s for s in sqlglot.parse(sql, dialect=dialect) if s is not None]
    except ParseError as exc:
        err = (exc.errors or [{}])[0]
        line, col = err.get("line"), err.get("col")
        position = None
        if line and col:
            lines = sql.split("\n")
            position = sum(len(x) + 1 for x in lines[: line - 1]) + col
        raise QueryRefused(
            f"The query does not parse: {err.get('description') or exc}", position=position, code="syntax"
        ) from None
    except SqlglotError as exc:
        raise QueryRefused(f"The query does not parse: {exc}", code="syntax") from None
    if len(statements) != 1:
        raise QueryRefused(f"Run one statement at a time (found {len(statements)}).", code="multiple_statements")
    ast = statements[0]
    if not isinstance(ast, (exp.Select, exp.SetOperation)):
        raise QueryRefused("Only SELECT queries can run here.", code="not_select")
    for node in ast.walk():
        if isinstance(node, _forbidden_nodes()):
            raise QueryRefused(
                f"Only SELECT queries can run here ({node.key.upper()} is not allowed).",
                position=_position(sql, node),
                code="not_select",
            )
        if isinstance(node, exp.Select) and (node.args.get("into") or node.args.get("locks")):
            raise QueryRefused(
                "SELECT … INTO and FOR UPDATE/SHARE are not allowed.", position=_position(sql, node), code="not_select"
            )
    check_functions(sql, ast, dialect)
    return ast


def _names_the_query_defines(ast: exp.Expression) -> set[str]:
    """CTE names and aliases with column lists (``WITH c(a) AS``, ``AS t(a, b)``): not calls."""
    from sqlglot import exp

    names = {cte.alias_or_name.lower() for cte in ast.find_all(exp.CTE)}
    names |= {alias.name.lower() for alias in ast.find_all(exp.TableAlias) if alias.name}
    return names


def check_functions(sql: str, ast: exp.Expression, dialect: str = DIALECT) -> None:
    """Refuse any call of a function outside the dialect's allow-list.

    SQL keywords the tokenizer knows (``IN (``, ``EXISTS (``, ``OVER (``, ``LEFT(``) are
    grammar or standard functions; every other word before ``(`` — bare, quoted or
    schema-qualified — is a function call the allow-list must name.
    """
    import sqlglot
    from sqlglot.errors import SqlglotError
    from sqlglot.tokens import TokenType

    allowed = allowed_functions(dialect)
    try:
        tokens = sqlglot.tokenize(sql, dialect=dialect)
    except SqlglotError as exc:  # parse_select already tokenized it; keep a clear error anyway
        raise QueryRefused(f"The query does not parse: {exc}", code="syntax") from None
    defined = None
    for i, (token, following) in enumerate(zip(tokens, tokens[1:], strict=False)):
        if following.token_type != TokenType.L_PAREN or token.token_type not in (TokenType.VAR, TokenType.IDENTIFIER):
            continue
        name = token.text.lower()
        qualifier = tokens[i - 2].text.lower() if i >= 2 and tokens[i - 1].token_type == TokenType.DOT else None
        if qualifier is not None and qualifier not in BUILTIN_SCHEMAS.get(dialect, ()):
            # A same-named function in a user schema could do anything: only built-ins are called.
            raise QueryRefused(
                f"The function {tokens[i - 2].text}.{token.text}() is not allowed in the lab: call built-in functions"
                " only (unqualified, or qualified with their system schema).",
                position=tokens[i - 2].start + 1,
                code="forbidden_function",
            )
        if name in allowed:
            continue
        if defined is None:
            defined = _names_the_query_defines(ast)
        if name in defined:
            continue
        raise QueryRefused(
            f"The function {name}() is not allowed in the lab: only ordinary scalar, aggregate, window, date/time, "
            "string, array and JSON functions are (nothing administrative, nothing with side effects).",
            position=token.start + 1,
            code="forbidden_function",
        )


def _cte_names(ast: exp.Expression) -> set[str]:
    from sqlglot import exp

    return {cte.alias_or_name.lower() for cte in ast.find_all(exp.CTE)}


def referenced_tables(ast: exp.Expression) -> list[exp.Table]:
    """Every real table the query reads: scope sources, plus a syntactic sweep as a backstop."""
    from sqlglot import exp
    from sqlglot.optimizer.scope import build_scope

    found: dict[int, exp.Table] = {}
    root = build_scope(ast)
    if root is not None:
        for scope in root.traverse():
            for source in scope.sources.values():
                if isinstance(source, exp.Table) and isinstance(source.this, exp.Identifier):
                    found[id(source)] = source
    ctes = _cte_names(ast)
    for table in ast.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            continue  # a table function such as generate_series()
        if not table.db and table.name.lower() in ctes:
            continue
        found[id(table)] = table
    return list(found.values())


def check_tables(sql: str, ast: exp.Expression, allowed: list[PortTable]) -> None:
    """Refuse a query that reads any table the port does not expose."""
    by_full = {(t.schema.lower(), t.table.lower()): t for t in allowed}
    by_table: dict[str, list[PortTable]] = {}
    for t in allowed:
        by_table.setdefault(t.table.lower(), []).append(t)
    databases = {t.database.lower() for t in allowed if t.database}
    for table in referenced_tables(ast):
        name, schema, catalog = table.name.lower(), table.db.lower(), table.catalog.lower()
        ok = (schema, name) in by_full if schema else len(by_table.get(name, [])) == 1
        if ok and catalog and catalog not in databases:
            ok = False
        if not ok:
            shown = ".".join(p for p in (table.catalog, table.db, table.name) if p)
            exposed = ", ".join(sorted(t.sql_name for t in allowed)) or "none"
            raise QueryRefused(
                f"The table {shown} is not part of this port (it exposes: {exposed}).",
                position=_position(sql, table),
                code="table_outside_port",
            )


def check_query(sql: str, allowed: list[PortTable], dialect: str = DIALECT) -> exp.Expression:
    """Everything the lab requires before running ``sql``; returns the parsed statement."""
    ast = parse_select(sql, dialect)
    check_tables(sql, ast, allowed)
    return ast


def missing_columns(sql: str, schema: dict, dialect: str = DIALECT) -> list[str]:
    """Columns ``sql`` names that the harvested schema no longer has (e.g. a dropped column).

    ``schema`` is ``{schema_name: {table: {column: type}}}`` for the port's tables. Returns
    an empty list when the query resolves, or when it cannot be analysed (no false alarms).
    """
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.qualify import qualify

    try:
        ast = parse_select(sql, dialect)
    except QueryRefused:
        return []
    missing = []
    try:
        qualify(ast.copy(), schema=schema, dialect=dialect, validate_qualify_columns=True, identify=False)
    except SqlglotError as exc:
        text = str(exc)
        if "could not be resolved" in text or "Unknown column" in text:
            missing.append(text.split("\n")[0])
    except Exception:
        return []
    return missing
