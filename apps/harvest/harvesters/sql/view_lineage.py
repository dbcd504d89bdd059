"""Table- and column-level lineage of a view, from its SQL, with sqlglot.

``pg_get_viewdef`` is read with ``search_path = pg_catalog``, so every relation in the SQL
is schema-qualified and a name maps to exactly one catalog relation.
"""

from dataclasses import dataclass, field
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.lineage import lineage
from sqlglot.optimizer.scope import Scope, build_scope


class UnparseableView(Exception):
    """sqlglot could not parse the view's SQL."""


def _parse(sql: str):
    try:
        ast = sqlglot.parse_one(sql, dialect="postgres")
    except SqlglotError as exc:
        raise UnparseableView(str(exc).splitlines()[0][:200]) from None
    if ast is None or not isinstance(ast, exp.Query):
        raise UnparseableView("not a query")
    return ast


@lru_cache(maxsize=20000)
def _analyse_directly(sql: str) -> tuple[frozenset, tuple | None]:
    """(relations read, column lineage or None) of a view's SQL, cached by its text: a
    worker re-harvesting unchanged views does not parse them again."""
    root = build_scope(_parse(sql))
    if root is None:
        raise UnparseableView("no query scope")
    tables = {
        (source.db, source.name)
        for scope in root.traverse()
        for source in scope.sources.values()
        if isinstance(source, exp.Table) and source.db and source.name
    }
    direct = _direct_column_lineage(root)
    return frozenset(tables), tuple(direct) if direct is not None else None


@dataclass
class ViewLineage:
    """What one view reads: relations as (schema, name), and per output column its inputs."""

    tables: set[tuple[str, str]] = field(default_factory=set)
    columns: list[tuple[str, str, str, str, str]] = field(
        default_factory=list
    )  # (out, schema, table, column, transformation)
    column_error: str = ""


def analyse(sql: str, columns_of) -> ViewLineage:
    """``columns_of(schema, table)`` returns the column names of a relation (or None if unknown)."""
    tables, direct = _analyse_directly(sql)
    result = ViewLineage(tables=set(tables))
    if direct is not None:
        result.columns = list(direct)
        return result
    ast = _parse(sql)
    schema = {}
    for db, name in result.tables:
        cols = columns_of(db, name)
        if cols:
            schema.setdefault(db, {})[name] = dict.fromkeys(cols, "text")
    try:
        nodes = lineage(
            None, ast, schema=schema, dialect="postgres", copy=False
        )  # the AST is ours: skip a deep copy per column
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


# --- the direct walk ----------------------------------------------------------------------
# pg_get_viewdef qualifies every column with its relation's alias, so a column's source can
# be read straight off the scope tree; sqlglot.lineage (which re-qualifies the whole query,
# ~10 ms a view) is only needed when the walk meets something it cannot resolve.


def _branches(scope: Scope) -> list[Scope]:
    if scope.set_operation_scopes:
        return [b for s in scope.set_operation_scopes for b in _branches(s)]
    return [scope]


def _resolve(scope: Scope, column: exp.Column, depth: int = 0):
    """[(schema, table, column)] feeding ``column``, or None when it cannot be resolved directly."""
    if depth > 20 or isinstance(column.this, exp.Star):
        return None
    if column.table:
        source = scope.sources.get(column.table)
    elif len(scope.sources) == 1:
        source = next(iter(scope.sources.values()))
    else:
        return None
    if isinstance(source, exp.Table):
        return [(source.db, source.name, column.name, "identity")] if source.db else None
    if not isinstance(source, Scope):
        return None
    found = []
    for branch in _branches(source):
        projection = next((p for p in branch.expression.selects if p.alias_or_name == column.name), None)
        if projection is None:
            return None
        step = _transformation(projection)
        for inner in projection.find_all(exp.Column):
            resolved = _resolve(branch, inner, depth + 1)
            if resolved is None:
                return None
            found += [(db, table, col, _stronger(step, t)) for db, table, col, t in resolved]
    return found


_STRENGTH = {"identity": 0, "expression": 1, "aggregation": 2}


def _stronger(a: str, b: str) -> str:
    """An aggregation of an expression is an aggregation; an identity of an expression, an expression."""
    return a if _STRENGTH[a] >= _STRENGTH[b] else b


def _direct_column_lineage(root: Scope):
    branches = _branches(root)
    if not isinstance(branches[0].expression, exp.Select):
        return None
    names = [p.alias_or_name for p in branches[0].expression.selects]
    per_column: dict[str, list] = {name: [] for name in names}
    for branch in branches:
        selects = branch.expression.selects if isinstance(branch.expression, exp.Select) else None
        if selects is None or len(selects) != len(names):
            return None
        for name, projection in zip(names, selects, strict=True):
            if projection.find(exp.Subquery) is not None or any(
                not isinstance(star.parent, exp.Count) for star in projection.find_all(exp.Star)
            ):
                return None  # a scalar subquery or a star: let sqlglot.lineage work it out
            for column in projection.find_all(exp.Column):
                resolved = _resolve(branch, column)
                if resolved is None:
                    return None
                per_column[name] += resolved
    transformations = {name: _transformation(p) for name, p in zip(names, branches[0].expression.selects, strict=True)}
    out = []
    for name in names:
        seen = set()
        for db, table, col, t in per_column[name]:
            if (db, table, col) not in seen:
                seen.add((db, table, col))
                out.append((name, db, table, col, _stronger(transformations[name], t)))
    return out


def _transformation(expression) -> str:
    this = expression.this if isinstance(expression, exp.Alias) else expression
    if isinstance(this, exp.Column):
        return "identity"
    if this is not None and this.find(exp.AggFunc):
        return "aggregation"
    return "expression"
