"""Static checks on lab SQL with sqlglot: one read-only statement over the port's tables.

This is the first of two locks. The runner also executes inside a ``READ ONLY``
transaction, so a statement that slips past the parser (or a function with side
effects) still cannot write.
"""

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import build_scope

from apps.core.errors import ActionError

DIALECT = "postgres"

# Node types that write, change the session or run something other than a query.
_FORBIDDEN_NODES = (
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
# Functions that read files, run SQL passed as a string (which would bypass the table
# check), change settings or act on other sessions.
_FORBIDDEN_FUNCTIONS = {
    "set_config",
    "pg_read_file",
    "pg_read_binary_file",
    "pg_ls_dir",
    "pg_stat_file",
    "pg_ls_logdir",
    "pg_ls_waldir",
    "pg_ls_tmpdir",
    "pg_ls_archive_statusdir",
    "lo_import",
    "lo_export",
    "lo_get",
    "lo_put",
    "lo_from_bytea",
    "lo_unlink",
    "lo_create",
    "lo_open",
    "dblink",
    "dblink_exec",
    "dblink_connect",
    "dblink_send_query",
    "pg_terminate_backend",
    "pg_cancel_backend",
    "pg_reload_conf",
    "pg_rotate_logfile",
    "pg_promote",
    "pg_switch_wal",
    "query_to_xml",
    "query_to_xmlschema",
    "query_to_xml_and_xmlschema",
    "cursor_to_xml",
    "cursor_to_xmlschema",
    "table_to_xml",
    "table_to_xmlschema",
    "table_to_xml_and_xmlschema",
    "schema_to_xml",
    "schema_to_xmlschema",
    "schema_to_xml_and_xmlschema",
    "database_to_xml",
    "database_to_xmlschema",
    "database_to_xml_and_xmlschema",
    "ts_stat",
    "ts_rewrite",
    "pg_advisory_lock",
    "pg_advisory_lock_shared",
    "pg_try_advisory_lock",
    "pg_try_advisory_lock_shared",
    "txid_current",
    "pg_current_xact_id",
    "nextval",
    "setval",
    "pg_notify",
    "pg_logical_emit_message",
    "pg_create_restore_point",
    "pg_start_backup",
    "pg_stop_backup",
    "pg_backup_start",
    "pg_backup_stop",
}


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
    if (
        name
        and (name.islower() or not any(c.isalpha() for c in name))
        and name.replace("_", "a").isalnum()
        and not name[0].isdigit()
    ):
        if not sqlglot.tokens.Tokenizer.KEYWORDS.get(name.upper()):
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
    if not sql or not sql.strip():
        raise QueryRefused("Write a query first.", code="empty")
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
        raise QueryRefused("Run one statement at a time (found %d)." % len(statements), code="multiple_statements")
    ast = statements[0]
    if not isinstance(ast, (exp.Select, exp.SetOperation)):
        raise QueryRefused("Only SELECT queries can run here.", code="not_select")
    for node in ast.walk():
        if isinstance(node, _FORBIDDEN_NODES):
            raise QueryRefused(
                f"Only SELECT queries can run here ({node.key.upper()} is not allowed).",
                position=_position(sql, node),
                code="not_select",
            )
        if isinstance(node, exp.Select) and (node.args.get("into") or node.args.get("locks")):
            raise QueryRefused(
                "SELECT … INTO and FOR UPDATE/SHARE are not allowed.", position=_position(sql, node), code="not_select"
            )
        if isinstance(node, exp.Func):
            name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
            if name in _FORBIDDEN_FUNCTIONS:
                raise QueryRefused(
                    f"The function {name}() is not allowed in the lab.",
                    position=_position(sql, node),
                    code="forbidden_function",
                )
    return ast


def _cte_names(ast: exp.Expression) -> set[str]:
    return {cte.alias_or_name.lower() for cte in ast.find_all(exp.CTE)}


def referenced_tables(ast: exp.Expression) -> list[exp.Table]:
    """Every real table the query reads: scope sources, plus a syntactic sweep as a backstop."""
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
    ast = parse_select(sql, dialect=dialect)
    check_tables(sql, ast, allowed)
    return ast


def missing_columns(sql: str, schema: dict, dialect: str = DIALECT) -> list[str]:
    """Columns ``sql`` names that the harvested schema no longer has (e.g. a dropped column).

    ``schema`` is ``{schema_name: {table: {column: type}}}`` for the port's tables. Returns
    an empty list when the query resolves, or when it cannot be analysed (no false alarms).
    """
    try:
        ast = parse_select(sql, dialect=dialect)
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
