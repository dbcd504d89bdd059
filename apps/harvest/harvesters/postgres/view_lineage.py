"""Table- and column-level lineage of a view, from its SQL, with sqlglot.

``pg_get_viewdef`` is read with ``search_path = pg_catalog``, so every relation in the SQL
is schema-qualified and a name maps to exactly one catalog relation.
"""
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.lineage import lineage
from sqlglot.optimizer.scope import build_scope


class UnparseableView(Exception):
    """sqlglot could not parse the view's SQL."""


@dataclass
class ViewLineage:
    """What one view reads: relations as (schema, name), and per output column its inputs."""

    tables: set[tuple[str, str]] = field(default_factory=set)
    columns: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # (out, schema, table, column, transformation)
    column_error: str = ""


def analyse(sql: str, columns_of) -> ViewLineage:
    """``columns_of(schema, table)`` returns the column names of a relation (or None if unknown)."""
    try:
        ast = sqlglot.parse_one(sql, dialect="postgres")
    except SqlglotError as exc:
        raise UnparseableView(str(exc).splitlines()[0][:200]) from None
    if ast is None or not isinstance(ast, exp.Query):
        raise UnparseableView("not a query")
    result = ViewLineage()
    root = build_scope(ast)
    if root is None:
        raise UnparseableView("no query scope")
    for scope in root.traverse():
        for source in scope.sources.values():
            if isinstance(source, exp.Table) and source.db and source.name:
                result.tables.add((source.db, source.name))
    schema = {}
    for db, name in result.tables:
        cols = columns_of(db, name)
        if cols:
            schema.setdefault(db, {})[name] = {c: "text" for c in cols}
    try:
        nodes = lineage(None, ast, schema=schema, dialect="postgres")
    except (SqlglotError, KeyError, ValueError, AttributeError) as exc:  # column lineage is best effort
        result.column_error = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return result
    for out, node in nodes.items():
        transformation = _transformation(node.expression)
        seen = set()
        for leaf in node.walk():
            if leaf.downstream or not isinstance(leaf.source, exp.Table):
                continue
            key = (leaf.source.db, leaf.source.name, leaf.name.rsplit(".", 1)[-1])
            if key[0] and key not in seen:
                seen.add(key)
                result.columns.append((out, *key, transformation))
    return result


def _transformation(expression) -> str:
    this = expression.this if isinstance(expression, exp.Alias) else expression
    if isinstance(this, exp.Column):
        return "identity"
    if this is not None and this.find(exp.AggFunc):
        return "aggregation"
    return "expression"
