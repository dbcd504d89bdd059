"""Column-level lineage of one SQL SELECT, with sqlglot, for dbt models and Athena views.

The query is parsed once and every output column is traced through CTEs, subqueries and
UNION branches to the physical table columns it reads (``apps.harvest.harvesters.sql.trace``), memoising each
(scope, column) so that a 20-column model costs one walk, not twenty ``sqlglot.lineage``
calls; ``SELECT *`` is expanded from the schema we know. Functions here are pure and
picklable so that a process pool can run them on every core.
"""

import gc
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import build_scope

from apps.harvest.harvesters.sql.trace import ScopeTracer, Unresolved, flatten_schema, table_name

logger = logging.getLogger(__name__)
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
                found[table_name(source, "", "")] = None
    return list(found)


def column_lineage(
    sql: str, schema: dict, dialect: str, default_db: str = "", default_schema: str = ""
) -> dict[str, list[tuple[str, str, str]]]:
    """Map each output column to ``(table, column, transformation)`` of the tables it reads.

    ``schema`` is ``{db: {schema: {table: {column: type}}}}`` (lower-case); it expands
    ``SELECT *`` and resolves unqualified columns. Tries the fast tracer on the parsed
    query first, and qualifies the query with sqlglot only when that cannot resolve it.
    Raises ``SqlLineageError``.
    """
    ast = _parse(sql, dialect)
    tables = flatten_schema(schema)
    try:
        root = build_scope(normalize_identifiers(ast, dialect=dialect))
        if root is not None:
            tracer = ScopeTracer(tables, default_db, default_schema, strict=True)
            return {name: sorted(tracer.trace(root, name)) for name in tracer.outputs(root)}
    except (Unresolved, SqlglotError, KeyError, ValueError, AttributeError):
        ast = _parse(sql, dialect)  # the full qualification below resolves it, or says why not
    try:
        qualified = qualify(
            ast,
            dialect=dialect,
            schema=_safe_schema(schema, dialect),
            validate_qualify_columns=False,
            quote_identifiers=False,
            identify=False,
        )
        root = build_scope(qualified)
    except (SqlglotError, KeyError, ValueError, AttributeError) as exc:
        raise SqlLineageError(f"cannot resolve the columns of the query: {_first_line(exc)}") from None
    if root is None:
        raise SqlLineageError("the statement is not a query")
    tracer = ScopeTracer(tables, default_db, default_schema, strict=False)
    return {name: sorted(tracer.trace(root, name)) for name in tracer.outputs(root)}


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
        with _children_allowed(), _parent_heap_frozen(), ProcessPoolExecutor(max_workers=workers) as pool:
            chunk = max(1, len(tasks) // (workers * 8))
            return dict(pool.map(parse_one_task, tasks, chunksize=chunk))
    except (OSError, AssertionError, RuntimeError) as exc:
        # e.g. a daemonic worker process that may not fork children: do it here, serially.
        logger.warning(
            "SQL lineage: no process pool (%s: %s); parsing %d statements serially", type(exc).__name__, exc, len(tasks)
        )
        return dict(map(parse_one_task, tasks))


# --- internals ---------------------------------------------------------------------


@contextmanager
def _parent_heap_frozen():
    """Keep the forked workers' collector off the parent's heap (the loaded manifest: millions
    of objects). Without it every full collection in a worker walks them all and, touching
    their headers, copies their pages; ``gc.freeze`` moves them out of the collector's sight."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def _children_allowed():
    """Let a daemonic process (a Celery prefork worker child) start the parsing pool.

    multiprocessing refuses children to daemonic processes so that none outlive their
    parent. Ours cannot: the pool is shut down before this returns, and if the worker is
    killed its pool processes see their queue close and exit.
    """
    process = multiprocessing.current_process()
    daemonic = process._config.get("daemon")
    if daemonic:
        process._config["daemon"] = False
    try:
        yield
    finally:
        if daemonic:
            process._config["daemon"] = True


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
    return {
        key: _safe_schema(value, dialect) if isinstance(value, dict) else _type_or_unknown(str(value), dialect)
        for key, value in schema.items()
    }


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
