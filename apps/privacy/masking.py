"""Masking personal data in lab results: the mask follows the column through the query.

Registered as a lab result filter. For a port whose level masks personal data, a user who
is neither an owner nor holds a grant that includes personal data gets every output
column whose value derives from a personal-data column masked — through renames, casts,
concatenations, CTEs, sub-queries and set operations, as sqlglot's scopes trace them. Using
such a column anywhere else (WHERE, JOIN, GROUP BY, ORDER BY: an oracle for its values)
refuses the result, and so does a query whose lineage cannot be traced.
"""

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope

from apps.catalog.models import Column
from apps.catalog.permissions import can_edit_product
from apps.lab.sql_checks import DIALECT, port_table
from apps.privacy.categories import PERSONAL_DATA, Category, tag_for
from apps.privacy.models import ColumnClassification, State
from apps.privacy.policy import policy_for

MASK = "•••"
_WHOLE_ROW = getattr(exp, "TableColumn", None)  # row_to_json(c): the whole row of table c
MASKED_CATEGORIES = PERSONAL_DATA | {Category.EMAIL_KEY}


class CannotTell(Exception):
    """The lineage of some output or predicate cannot be traced to base columns."""


@dataclass(frozen=True)
class Base:
    schema: str
    table: str
    column: str


def sees_personal_data(user, port) -> bool:
    """Owners, and holders of a live grant on the port that includes personal data."""
    if can_edit_product(user, port.product):
        return True
    from apps.governance.access import active_grants

    return (
        active_grants().filter(user_id=getattr(user, "pk", None), port_id=port.pk, personal_data__isnull=False).exists()
    )


def masked_columns(port) -> dict[Base, str]:
    """{base column: category} of the port's datasets that must be masked (one query)."""
    out: dict[Base, str] = {}
    rows = ColumnClassification.objects.filter(
        column__dataset__port_links__port=port,
        column__dataset__platform="postgres",
        column__dataset__removed_at__isnull=True,
        category__in=MASKED_CATEGORIES,
        state__in=(State.SUGGESTED, State.CONFIRMED),
    ).values_list("column__dataset__name", "column__name", "category")
    for dataset_name, name, category in rows:
        t = port_table(dataset_name)
        out.setdefault(Base(t.schema.lower(), t.table.lower(), name.lower()), category)
    return out


def _schema(port) -> dict:
    schema: dict = {}
    datasets = [d for d in port.datasets.all() if d.platform == "postgres" and d.removed_at is None]
    names = {d.pk: port_table(d.name) for d in datasets}
    for dataset_id, name in Column.objects.filter(dataset_id__in=list(names)).values_list("dataset_id", "name"):
        t = names[dataset_id]
        schema.setdefault(t.schema or "public", {}).setdefault(t.table, {})[name] = "text"
    return schema


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


def mask_result(user, port, sql: str, result) -> None:
    """The lab result filter: mask, or refuse when the lineage cannot be traced."""
    if not result.columns:
        return
    masked = masked_columns(port)  # the one query a run without personal data pays
    if not masked or not policy_for(port.product.classification)["mask_personal_data"]:
        return
    if sees_personal_data(user, port):
        return
    try:
        outputs, problems = analyse(sql, port, masked)
    except CannotTell as exc:
        result.error = (
            "This query reads a port with personal data and the lab cannot tell which output columns hold it "
            f"({exc}). Select the columns by name, or ask the owners for a grant that includes personal data."
        )
        return
    if problems:
        result.error = (
            "Personal-data columns can only be selected (and are then masked), not used to filter, join, "
            f"group or sort: {'; '.join(problems[:5])}. Ask the owners for a grant that includes personal data."
        )
        return
    if len(outputs) != len(result.columns):
        result.error = "The lab cannot match the query's output columns to the result; it is withheld."
        return
    hidden = [(i, sorted({masked[b] for b in bases if b in masked})) for i, bases in enumerate(outputs)]
    hidden = [(i, cats) for i, cats in hidden if cats]
    if not hidden:
        return
    indexes = [i for i, _ in hidden]
    for row in result.rows:
        for i in indexes:
            if row[i] is not None:
                row[i] = MASK
    result.masked_columns = {result.columns[i]: [tag_for(c) for c in cats] for i, cats in hidden}
    labels = ", ".join(f"{result.columns[i]} ({', '.join(tag_for(c) for c in cats)})" for i, cats in hidden)
    result.notices.append(
        f"Masked personal data: {labels}. Ask the owners for a grant that includes personal data to see it."
    )


def hide_sample_queries(user, port, queries: list) -> list:
    """At a level whose policy hides sample queries, only generated starters remain for
    users who may not see personal data (curated and dbt queries can carry literal values)."""
    if not policy_for(port.product.classification)["hide_sample_queries"] or sees_personal_data(user, port):
        return queries
    return [q for q in queries if getattr(q, "origin", "") == "generated"]
