"""Tracing output columns of a scoped query to the table columns they read.

Works on sqlglot scopes of a query that was *not* qualified: it resolves unqualified
columns and expands ``*`` / ``t.*`` itself from the known schema and from the outputs of
CTEs and subqueries — the part of sqlglot's ``qualify`` that lineage needs, at a fraction
of the cost. When it meets something it cannot resolve for sure (an ambiguous column, a
star over a table whose columns are unknown) it raises ``Unresolved`` in strict mode, and
the caller falls back to the full ``qualify``. Every (scope, column) is traced once.
"""

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

IDENTITY, EXPRESSION, AGGREGATION = "identity", "expression", "aggregation"
_RANK = {IDENTITY: 0, EXPRESSION: 1, AGGREGATION: 2}


class Unresolved(Exception):
    """The query needs sqlglot's full qualification to be traced reliably."""


def flatten_schema(schema: dict, prefix: str = "") -> dict[str, set[str]]:
    """``{db: {schema: {table: {col: type}}}}`` (any depth) → ``{"db.schema.table": {cols}}``."""
    flat = {}
    for key, value in schema.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            flat.update(flatten_schema(value, name))
        elif isinstance(value, dict):
            flat[name.lower()] = {c.lower() for c in value}
    return flat


def table_name(table: exp.Table, default_db: str, default_schema: str) -> str:
    parts = [table.catalog or default_db, table.db or default_schema, table.name]
    return ".".join(p.lower() for p in parts if p)


def transformation(projection: exp.Expression) -> str:
    inner = projection.unalias()
    while isinstance(inner, (exp.Cast, exp.Paren)):
        inner = inner.this
    if isinstance(inner, exp.Column):
        return IDENTITY
    if projection.find(exp.AggFunc) is not None:
        return AGGREGATION
    return EXPRESSION


def combine(a: str, b: str) -> str:
    return a if _RANK[a] >= _RANK[b] else b


class ScopeTracer:
    """Traces columns through one query's scopes; ``strict`` raises ``Unresolved`` instead of guessing."""

    def __init__(self, tables: dict[str, set[str]], default_db: str, default_schema: str, *, strict: bool):
        self.tables = tables
        self.default_db = default_db
        self.default_schema = default_schema
        self.strict = strict
        self.memo: dict[tuple[int, str], set] = {}
        self._outputs: dict[int, list[str]] = {}
        self._projections: dict[int, dict[str, object]] = {}

    # --- what a scope outputs ------------------------------------------------------

    def outputs(self, scope: Scope) -> list[str]:
        key = id(scope)
        if key not in self._outputs:
            self._outputs[key] = []  # guards against recursion
            self._outputs[key] = [name for name, _ in self._projection_items(scope)]
        return self._outputs[key]

    def _projection_items(self, scope: Scope) -> list[tuple[str, object]]:
        """(output name, projection or the source a star takes it from), in order."""
        expression = scope.expression
        if isinstance(expression, exp.SetOperation):
            return [(name, None) for name in self.outputs(scope.union_scopes[0])] if scope.union_scopes else []
        if not isinstance(expression, exp.Select):
            return []
        items = []
        for projection in expression.selects:
            if isinstance(projection, exp.Star):
                for source_name in scope.selected_sources or scope.sources:
                    items += [(c, source_name) for c in self._columns_of(scope, source_name)]
            elif isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
                items += [(c, projection.table) for c in self._columns_of(scope, projection.table)]
            elif projection.alias_or_name:
                items.append((projection.alias_or_name.lower(), projection))
        return items

    def _columns_of(self, scope: Scope, source_name: str) -> list[str]:
        source = scope.sources.get(source_name)
        if isinstance(source, Scope):
            return self.outputs(source)
        if isinstance(source, exp.Table):
            known = self.tables.get(table_name(source, self.default_db, self.default_schema))
            if known is not None:
                return sorted(known)
        if self.strict:
            raise Unresolved(f"cannot expand * over {source_name!r}")
        return []

    def _projection(self, scope: Scope, name: str):
        key = id(scope)
        if key not in self._projections:
            mapping = {}
            for output, item in self._projection_items(scope):
                mapping.setdefault(output, item)
            self._projections[key] = mapping
        return self._projections[key].get(name)

    # --- tracing -------------------------------------------------------------------

    def trace(self, scope: Scope, name: str) -> set[tuple[str, str, str]]:
        name = name.lower()
        key = (id(scope), name)
        if key in self.memo:
            return self.memo[key]
        self.memo[key] = set()  # guards against recursive CTEs
        if isinstance(scope.expression, exp.SetOperation):
            position = self.outputs(scope).index(name) if name in self.outputs(scope) else None
            found = set()
            if position is not None:
                for branch in scope.union_scopes:  # branches match by position, not by name
                    names = self.outputs(branch)
                    if position < len(names):
                        found |= self.trace(branch, names[position])
        else:
            found = self._trace_select(scope, name)
        self.memo[key] = found
        return found

    def _trace_select(self, scope: Scope, name: str) -> set:
        item = self._projection(scope, name)
        if item is None:
            return set()
        if isinstance(item, str):  # taken by a star from one source
            return self._from_source(scope, item, name, IDENTITY)
        step = transformation(item)
        found = set()
        for column in item.find_all(exp.Column):
            if isinstance(column.this, exp.Star) or column.find_ancestor(exp.Select) is not scope.expression:
                continue  # a star inside a function, or a column of a nested subquery
            source_name = column.table or self._owner_of(scope, column.name.lower())
            if source_name:
                found |= self._from_source(scope, source_name, column.name.lower(), step)
        return found

    def _from_source(self, scope: Scope, source_name: str, column: str, step: str) -> set:
        source = scope.sources.get(source_name)
        if isinstance(source, exp.Table):
            return {(table_name(source, self.default_db, self.default_schema), column, step)}
        if isinstance(source, Scope):
            return {(t, c, combine(step, s)) for t, c, s in self.trace(source, column)}
        return set()  # an outer scope's column (correlated), or a lateral alias

    def _owner_of(self, scope: Scope, column: str) -> str | None:
        """The one source of ``scope`` that has an unqualified ``column``."""
        names = list(scope.selected_sources or scope.sources)
        if len(names) == 1:
            return names[0]
        having = []
        for source_name in names:
            source = scope.sources.get(source_name)
            if isinstance(source, Scope):
                if column in self.outputs(source):
                    having.append(source_name)
            elif isinstance(source, exp.Table):
                known = self.tables.get(table_name(source, self.default_db, self.default_schema))
                if known is None and self.strict:
                    raise Unresolved(f"unknown columns of {source_name!r}")
                if known and column in known:
                    having.append(source_name)
        if len(having) == 1:
            return having[0]
        if self.strict and having:
            raise Unresolved(f"column {column!r} is ambiguous")
        return None  # not a column (e.g. an alias of this select, or a literal-like name)
