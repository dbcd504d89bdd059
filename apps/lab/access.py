"""Per-table access for lab runs: grants follow the datasets a query reads, not the port.

The port-level check (``apps.governance.access.query_access``) asks "may this user query
this port?". That alone let an owner bind another product's restricted table to their own
public port and let anyone read it through that port. This check runs after the SQL is
parsed: every table the query reads is mapped to the port's dataset, and the user needs
access to each grant-gated product that publishes that dataset, whichever port the query
was sent through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apps.governance.access import refused_datasets
from apps.lab.sql_checks import QueryRefused, port_table, referenced_tables

if TYPE_CHECKING:
    from sqlglot import exp


class GrantRequired(QueryRefused):
    """The query reads a dataset whose publishing product needs a grant the user lacks."""

    code = "needs_grant"


def datasets_read(ast: exp.Expression, datasets) -> list:
    """The port's datasets that ``ast`` reads (matched as ``check_tables`` matches names)."""
    by_full, by_table = {}, {}
    for dataset in datasets:
        table = port_table(dataset.name)
        by_full[(table.schema.lower(), table.table.lower())] = dataset
        by_table.setdefault(table.table.lower(), []).append(dataset)
    read = {}
    for table in referenced_tables(ast):
        name, schema = table.name.lower(), table.db.lower()
        if schema:
            dataset = by_full.get((schema, name))
        else:
            candidates = by_table.get(name, [])
            dataset = candidates[0] if len(candidates) == 1 else None
        if dataset is not None:
            read[dataset.pk] = dataset
    return list(read.values())


def check_table_access(user, port, ast: exp.Expression) -> exp.Expression:
    """Raise GrantRequired when ``user`` may not read a table the query reads; else return ``ast``."""
    datasets = [d for d in port.datasets.all() if d.removed_at is None]
    refused = refused_datasets(user, datasets_read(ast, datasets))
    if refused:
        dataset, product = refused[0]
        raise GrantRequired(
            f"{dataset.name} is published by {product.name}, which is {product.get_classification_display().lower()}:"
            f" request access to {product.name}'s port first (binding it to another port does not grant it).",
        )
    return ast
