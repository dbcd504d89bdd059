"""Masking personal data in lab results: the mask follows the column through the query.

Registered as a lab result filter. For a port whose level masks personal data, a user who
is neither an owner nor holds a grant that includes personal data gets every output
column whose value derives from a personal-data column masked — through renames, casts,
concatenations, CTEs, sub-queries and set operations, as sqlglot's scopes trace them. Using
such a column anywhere else (WHERE, JOIN, GROUP BY, ORDER BY: an oracle for its values)
refuses the result, and so does a query whose lineage cannot be traced. The tracing itself
(sqlglot) is in ``masking_trace``, imported only when a result has columns to mask: this
module is registered from ``PrivacyConfig.ready()``, i.e. imported by every process.
"""

from dataclasses import dataclass

from apps.catalog.models import Column
from apps.catalog.permissions import can_edit_product
from apps.lab.sql_checks import port_table
from apps.privacy.categories import PERSONAL_DATA, Category, tag_for
from apps.privacy.models import ColumnClassification, State
from apps.privacy.policy import policy_for

MASK = "•••"
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


def mask_result(user, port, sql: str, result) -> None:
    """The lab result filter: mask, or refuse when the lineage cannot be traced."""
    if not result.columns:
        return
    masked = masked_columns(port)  # the one query a run without personal data pays
    if not masked or not policy_for(port.product.classification)["mask_personal_data"]:
        return
    if sees_personal_data(user, port):
        return
    from apps.privacy.masking_trace import analyse

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
