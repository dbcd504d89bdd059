"""Fixtures of the page tests: the permission-matrix mesh with datasets, ports and lineage."""

import pytest

from apps.catalog import actions
from apps.catalog.models import ColumnLineageEdge, LineageEvidence
from apps.catalog.testing import make_mesh
from apps.core.testing import SYSTEM

NS = "postgres://warehouse:5432"


def add_catalog(mesh):
    """Datasets with columns, lineage (tables and columns), and ports linking them to products."""
    raw = actions.register_dataset(
        SYSTEM,
        namespace=NS,
        name="wh.raw.orders",
        platform="postgres",
        columns=[
            {"name": "id", "type": "integer", "nullable": False, "primary_key": True},
            {"name": "amount", "type": "numeric"},
        ],
    )
    orders = actions.register_dataset(
        SYSTEM,
        namespace=NS,
        name="wh.sales.orders",
        platform="postgres",
        description="One row per order.",
        columns=[
            {"name": "order_id", "type": "integer", "nullable": False, "primary_key": True},
            {"name": "amount", "type": "numeric"},
            {"name": "email", "type": "text", "tags": ["pii"]},
        ],
    )
    revenue = actions.register_dataset(
        SYSTEM,
        namespace=NS,
        name="wh.finance.revenue",
        platform="postgres",
        columns=[{"name": "day", "type": "date"}, {"name": "revenue", "type": "numeric"}],
    )
    actions.add_manual_lineage(SYSTEM, raw, orders)
    actions.add_manual_lineage(SYSTEM, orders, revenue)
    col = {(c.dataset_id, c.name): c for d in (raw, orders, revenue) for c in d.columns.all()}
    ColumnLineageEdge.objects.create(
        upstream=col[(raw.pk, "amount")],
        downstream=col[(orders.pk, "amount")],
        evidence=LineageEvidence.MANUAL,
        transformation="identity",
    )
    ColumnLineageEdge.objects.create(
        upstream=col[(orders.pk, "amount")],
        downstream=col[(revenue.pk, "revenue")],
        evidence=LineageEvidence.MANUAL,
        transformation="aggregation",
    )
    out = actions.create_port(
        SYSTEM,
        mesh.orders,
        name="orders-table",
        direction="output",
        protocol="postgres",
        endpoint="postgres://warehouse:5432/wh",
        datasets=[orders],
    )
    leads_out = actions.create_port(
        SYSTEM, mesh.leads, name="leads-table", direction="output", protocol="postgres", datasets=[revenue]
    )
    actions.create_port(SYSTEM, mesh.leads, name="orders-in", direction="input", upstream_port=out)
    mesh.raw, mesh.orders_ds, mesh.revenue = raw, orders, revenue
    mesh.orders_port, mesh.leads_port = out, leads_out
    mesh.amount_column = col[(orders.pk, "amount")]
    return mesh


@pytest.fixture
def mesh(db):
    return add_catalog(make_mesh())
