"""Column-level lineage of one SQL SELECT, with sqlglot, for dbt models and Athena views.

The query is parsed and qualified once (``SELECT *`` expanded from the schema we know),
then every output column is traced through CTEs, subqueries and UNION branches to the
physical table columns it reads, memoising each (scope, column) so that a 20-column model
costs one walk, not twenty ``sqlglot.lineage`` calls. Functions here are pure and
picklable so that a process pool can run them on every core.
"""
import os
from concurrent.futures import ProcessPoolExecutor

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope

IDENTITY, EXPRESSION, AGGREGATION = "identity", "expression", "aggregation"
_RANK = {IDENTITY: 0, EXPRESSION: 1, AGGREGATION: 2}
# Below this many statements a process pool costs more to start than it saves.
POOL_THRESHOLD = 200


class SqlLineageError(ValueError):
    """The SQL could not be parsed or qualified; the message says why."""


def table_sources(sql: str, dialect: str) -> list[str]:
    """Physical tables a statement reads, as lower-cased dotted names (CTE names excluded)."""
    ast = _parse(sql, dialect)
    root = build_scope(ast)
    if root is None:
        return []
    found = {}
    for scope in root.traverse():
        for source in scope.sources.values():
            if isinstance(source, exp.Table) and source.name:
                found[_table_name(source, "", "")] = None
    return list(found)


def column_lineage(sql: str, schema: dict, dialect: str, default_db: str = "", default_schema: str = "") -> dict[str, list[tuple[str, str, str]]]:
    """Map each output column to ``(table, column, transformation)`` of the tables it reads.

    ``schema`` is ``{db: {schema: {table: {column: type}}}}`` (lower-case); it expands
    ``SELECT *`` and resolves unqualified columns. Raises ``SqlLineageError``.
    """
    ast = _parse(sql, dialect)
    try:
        qualified = qualify(
            ast, dialect=dialect, schema=_safe_schema(schema, dialect), validate_qualify_columns=False,
            quote_identifiers=False, identify=False,
        )
        root = build_scope(qualified)
    except (SqlglotError, KeyError, ValueError, AttributeError) as exc:
        raise SqlLineageError(f"cannot resolve the columns of the query: {_first_line(exc)}") from None
    if root is None:
        raise SqlLineageError("the statement is not a query")
    tracer = _Tracer(default_db, default_schema)
    return {name: sorted(tracer.trace(root, name)) for name in _output_names(root)}


def parse_one_task(task: tuple) -> tuple[str, dict | str]:
    """Pool worker: ``(key, sql, schema, dialect, db, schema_name)`` → ``(key, lineage or error text)``."""
    key, sql, schema, dialect, default_db, default_schema = task
    try:
        lineage = column_lineage(sql, schema, dialect, default_db, default_schema)
    except SqlLineageError as exc:
        return key, str(exc)
    except RecursionError:
        return key, "the query is nested too deeply to analyse"
    return key, {col: [list(t) for t in edges] for col, edges in lineage.items()}


def parse_many(tasks: list[tuple], workers: int | None = None) -> dict[str, dict | str]:
    """Run ``parse_one_task`` over ``tasks``, on every core when there are many."""
    workers = workers or min(os.cpu_count() or 1, 4)
    if workers < 2 or len(tasks) < POOL_THRESHOLD:
        return dict(map(parse_one_task, tasks))
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            chunk = max(1, len(tasks) // (workers * 8))
            return dict(pool.map(parse_one_task, tasks, chunksize=chunk))
    except (OSError, AssertionError, RuntimeError):
        # e.g. a daemonic worker process that may not fork children: do it here, serially.
        return dict(map(parse_one_task, tasks))


# --- internals ---------------------------------------------------------------------


def _parse(sql: str, dialect: str) -> exp.Expression:
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except SqlglotError as exc:
        raise SqlLineageError(f"cannot parse the SQL: {_first_line(exc)}") from None
    if not statements:
        raise SqlLineageError("the SQL is empty")
    query = statements[-1]
    if isinstance(query, (exp.Create, exp.Insert)) and isinstance(query.expression, exp.Query):
        query = query.expression
    if not isinstance(query, exp.Query):
        raise SqlLineageError(f"not a query but a {query.key.upper()} statement")
    return query


def _safe_schema(schema: dict, dialect: str) -> dict:
    """Types sqlglot cannot parse (``USER-DEFINED``, ...) must not cost us the column names.

    Works at any nesting depth (``{db: {table: ...}}`` for Glue, ``{db: {schema: {table: ...}}}``).
    """
    return {key: _safe_schema(value, dialect) if isinstance(value, dict) else _type_or_unknown(str(value), dialect) for key, value in schema.items()}


_TYPE_CACHE: dict[tuple[str, str], str] = {}


def _type_or_unknown(type_text: str, dialect: str) -> str:
    key = (type_text, dialect)
    if key not in _TYPE_CACHE:
        try:
            exp.DataType.build(type_text or "unknown", dialect=dialect)
            _TYPE_CACHE[key] = type_text or "unknown"
        except (SqlglotError, ValueError):
            _TYPE_CACHE[key] = "unknown"
    return _TYPE_CACHE[key]


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


def _output_names(scope: Scope) -> list[str]:
    expression = scope.expression
    while isinstance(expression, exp.SetOperation):
        expression = expression.left
    if not isinstance(expression, exp.Select):
        return []
    return [s.alias_or_name for s in expression.selects if s.alias_or_name and not isinstance(s, exp.Star)]


def _table_name(table: exp.Table, default_db: str, default_schema: str) -> str:
    parts = [table.catalog or default_db, table.db or default_schema, table.name]
    return ".".join(p.lower() for p in parts if p)


def _transformation(projection: exp.Expression) -> str:
    inner = projection.unalias()
    while isinstance(inner, (exp.Cast, exp.Paren)):
        inner = inner.this
    if isinstance(inner, exp.Column):
        return IDENTITY
    if projection.find(exp.AggFunc) is not None:
        return AGGREGATION
    return EXPRESSION


def _combine(a: str, b: str) -> str:
    return a if _RANK[a] >= _RANK[b] else b


class _Tracer:
    """Walks scopes from an output column to table columns, remembering what it has seen."""

    def __init__(self, default_db: str, default_schema: str):
        self.default_db = default_db
        self.default_schema = default_schema
        self.memo: dict[tuple[int, str], set] = {}

    def trace(self, scope: Scope, name: str) -> set[tuple[str, str, str]]:
        key = (id(scope), name.lower())
        if key in self.memo:
            return self.memo[key]
        self.memo[key] = set()  # guards against recursive CTEs
        if isinstance(scope.expression, exp.SetOperation):
            found = set()
            for branch in scope.union_scopes:
                found |= self._trace_branch(branch, name, position=self._position(scope, name))
        else:
            found = self._trace_branch(scope, name)
        self.memo[key] = found
        return found

    def _position(self, scope: Scope, name: str) -> int | None:
        names = [n.lower() for n in _output_names(scope)]
        return names.index(name.lower()) if name.lower() in names else None

    def _trace_branch(self, scope: Scope, name: str, position: int | None = None) -> set:
        if isinstance(scope.expression, exp.SetOperation):
            return self.trace(scope, name if position is None else _output_names(scope)[position])
        selects = scope.expression.selects if isinstance(scope.expression, exp.Select) else []
        projection = None
        if position is not None and position < len(selects):
            projection = selects[position]  # UNION branches match by position, not by name
        else:
            projection = next((s for s in selects if s.alias_or_name.lower() == name.lower()), None)
        if projection is None:
            return set()
        transformation = _transformation(projection)
        found = set()
        for column in projection.find_all(exp.Column):
            if isinstance(column.this, exp.Star):
                continue
            source = scope.sources.get(column.table)
            if isinstance(source, exp.Table):
                found.add((_table_name(source, self.default_db, self.default_schema), column.name.lower(), transformation))
            elif isinstance(source, Scope):
                for table, upstream, step in self.trace(source, column.name):
                    found.add((table, upstream, _combine(transformation, step)))
        return found
