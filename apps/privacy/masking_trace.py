"""How each output column of a lab query derives from base columns, traced by sqlglot's scopes.

Apart from ``masking`` so that sqlglot is imported only when a result has personal data to
mask (``masking.mask_result``), not by every process that registers the filter at start-up.
"""

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope

from apps.lab.sql_checks import DIALECT
from apps.privacy.masking import Base, CannotTell, _schema

_WHOLE_ROW = getattr(exp, "TableColumn", None)  # row_to_json(c): the whole row of table c


class Tracer:
    """Resolves any column reference of a qualified query to the base columns it reads."""

    def __init__(self, ast: exp.Expression, tables_by_name: dict[str, list[str]]):
        self.root = build_scope(ast)
        if self.root is None:
            raise CannotTell("no scope")
        self.scopes = list(self.root.traverse())
        self.by_select = {id(s.expression): s for s in self.scopes}
        self.tables_by_name = tables_by_name

    def scope_of(self, node: exp.Expression) -> Scope:
        select = node.find_ancestor(exp.Select)
        while select is not None and id(select) not in self.by_select:
            select = select.find_ancestor(exp.Select)
        if select is None:
            raise CannotTell(f"no scope for {node.sql()}")
        return self.by_select[id(select)]

    def column(self, col: exp.Column, scope: Scope | None = None, depth: int = 0) -> set[Base]:
        if depth > 50:
            raise CannotTell("too deep")
        scope = scope or self.scope_of(col)
        source = scope.sources.get(col.table) if col.table else None
        if source is None:
            # an output alias used in ORDER BY/GROUP BY of the same select
            select = scope.expression
            for projection in getattr(select, "expressions", []):
                if isinstance(projection, exp.Alias) and projection.alias == col.name and not col.table:
                    return self.expression(projection.this, depth + 1)
            raise CannotTell(f"cannot tell where {col.sql()} comes from")
        if isinstance(source, exp.Table):
            schema = source.db.lower()
            if not schema:
                candidates = self.tables_by_name.get(source.name.lower(), [])
                schema = candidates[0] if len(candidates) == 1 else ""
            return {Base(schema, source.name.lower(), col.name.lower())}
        if isinstance(source, Scope):
            return self.output(source, col.name, depth + 1)
        raise CannotTell(f"unknown source for {col.sql()}")

    def output(self, scope: Scope, name: str | int, depth: int = 0) -> set[Base]:
        """Base columns of the projection ``name`` (or index) of ``scope``."""
        if isinstance(scope.expression, exp.SetOperation):
            branches = getattr(scope, "set_operation_scopes", None) or getattr(scope, "union_scopes", None)
            if not branches:
                raise CannotTell("set operation without branches")
            index = name if isinstance(name, int) else self._index(branches[0].expression, name)
            out: set[Base] = set()
            for branch in branches:
                out |= self.output(branch, index, depth + 1)
            return out
        select = scope.expression
        projections = getattr(select, "expressions", [])
        if isinstance(name, int):
            if name >= len(projections):
                raise CannotTell("projection count differs")
            return self.expression(projections[name], depth + 1)
        return self.expression(projections[self._index(select, name)], depth + 1)

    @staticmethod
    def _index(select: exp.Expression, name: str) -> int:
        if isinstance(select, exp.SetOperation):
            select = select.left
            while isinstance(select, exp.SetOperation):
                select = select.left
        for i, projection in enumerate(getattr(select, "expressions", [])):
            if projection.alias_or_name == name:
                return i
        raise CannotTell(f"no output named {name}")

    def expression(self, node: exp.Expression, depth: int = 0) -> set[Base]:
        out: set[Base] = set()
        for n in node.walk():
            if isinstance(n, exp.Star) and not isinstance(n.parent, exp.Count):
                raise CannotTell("a * that was not expanded")
            if _WHOLE_ROW is not None and isinstance(n, _WHOLE_ROW):
                raise CannotTell(f"a whole-row reference {n.sql(dialect=DIALECT)}")
        for col in node.find_all(exp.Column):
            out |= self.column(col, None, depth + 1)
        return out


def analyse(sql: str, port, masked: dict[Base, str]) -> tuple[list[set[Base]], list[str]]:
    """(bases per output column, problems): problems name masked columns used outside outputs."""
    schema = _schema(port)
    tables_by_name: dict[str, list[str]] = {}
    for schema_name, tables in schema.items():
        for table in tables:
            tables_by_name.setdefault(table.lower(), []).append(schema_name.lower())
    try:
        ast = sqlglot.parse_one(sql, dialect=DIALECT)
        ast = qualify(ast, schema=schema, dialect=DIALECT, validate_qualify_columns=True, identify=False)
    except SqlglotError as exc:
        raise CannotTell(str(exc).split("\n")[0]) from None
    if _WHOLE_ROW is not None:
        for node in ast.find_all(_WHOLE_ROW):
            raise CannotTell(f"a whole-row reference {node.sql(dialect=DIALECT)}")
    tracer = Tracer(ast, tables_by_name)
    outputs = []
    left = ast
    while isinstance(left, exp.SetOperation):
        left = left.left
    for i in range(len(left.expressions)):
        outputs.append(tracer.output(tracer.root, i))
    problems = []
    for scope in tracer.scopes:
        select = scope.expression
        if not isinstance(select, exp.Select):
            continue
        projection_ids = {id(n) for p in select.expressions for n in p.walk()}
        for col in scope.columns:
            if id(col) in projection_ids:
                continue
            hits = {masked[b] for b in tracer.column(col, scope) if b in masked}
            if hits:
                problems.append(f"{col.sql(dialect=DIALECT)} ({', '.join(sorted(hits))})")
    return outputs, problems
