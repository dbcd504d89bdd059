"""Fixtures for lab tests: a real warehouse, a source with a reader, a product port on it."""

import pytest

from apps.catalog import actions
from apps.catalog.testing import make_mesh
from apps.core.testing import SYSTEM
from tests.lab import warehouse


@pytest.fixture(scope="session")
def lab_warehouse():
    db = warehouse.create_warehouse()
    yield db
    warehouse.drop_warehouse()


ORDER_COLUMNS = [
    {"name": "order_id", "type": "integer", "nullable": False, "primary_key": True},
    {"name": "customer_id", "type": "integer", "nullable": False},
    {"name": "order_date", "type": "date", "nullable": False},
    {"name": "status", "type": "text"},
    {"name": "amount", "type": "numeric(12,2)"},
]
ITEM_COLUMNS = [
    {"name": "order_item_id", "type": "integer", "nullable": False, "primary_key": True},
    {"name": "order_id", "type": "integer", "nullable": False},
    {"name": "product_id", "type": "integer", "nullable": False},
    {"name": "quantity", "type": "integer"},
    {"name": "unit_price", "type": "numeric(12,2)"},
]


@pytest.fixture
def lab(db, lab_warehouse):
    """make_mesh() plus: a postgres Source with a reader, datasets, and port orders:orders-tables."""
    from types import SimpleNamespace

    from django.core.cache import cache

    from apps.catalog.models import DatasetConstraint
    from apps.harvest.models import Source

    cache.clear()  # rate-limit counters are per user and minute; start every test fresh
    mesh = make_mesh()
    source = Source.objects.create(
        name="lab-warehouse",
        kind="postgres",
        config={
            "dsn": warehouse.reader_dsn().replace(warehouse.names()[1], "postgres"),
            "reader_dsn": warehouse.reader_dsn(),
        },
        secrets={"reader_password": warehouse.READER_PASSWORD},
    )
    ns = "postgres://127.0.0.1:5432"

    def mk(name, cols):
        return actions.register_dataset(
            SYSTEM, namespace=ns, name=f"{lab_warehouse}.{name}", platform="postgres", columns=cols, source=source
        )

    orders = mk("sales.orders", ORDER_COLUMNS)
    items = mk("sales.order_items", ITEM_COLUMNS)
    big_a = mk("sales.big_a", [{"name": "a", "type": "integer"}, {"name": "pad", "type": "text"}])
    big_b = mk("sales.big_b", [{"name": "b", "type": "integer"}, {"name": "pad", "type": "text"}])
    salaries = mk("secret.salaries", [{"name": "employee", "type": "text"}, {"name": "salary", "type": "integer"}])
    DatasetConstraint.objects.create(
        dataset=items,
        name="order_items_order_id_fkey",
        kind="foreign_key",
        columns=["order_id"],
        referenced_dataset=orders,
        referenced_columns=["order_id"],
    )
    port = actions.create_port(
        SYSTEM,
        mesh.orders,
        name="orders-tables",
        direction="output",
        protocol="postgres",
        format="table",
        endpoint=f"postgres://127.0.0.1:5432/{lab_warehouse}",
        datasets=[orders, items, big_a, big_b],
    )
    return SimpleNamespace(
        **vars(mesh),
        source=source,
        port=port,
        orders_ds=orders,
        items_ds=items,
        salaries_ds=salaries,
        warehouse=lab_warehouse,
    )
