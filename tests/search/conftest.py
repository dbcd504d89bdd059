"""Search fixtures: the demo mesh and a generated catalog around it, indexed as writes commit."""

import pytest
from django.db import connection

from apps.catalog.demo import load_demo
from apps.catalog.models import Column, Dataset
from apps.core.hooks import objects_changed

GENERATED_NAMESPACE = "postgres://warehouse.internal:5432"
# Near-misses for the judged queries: archives, events and daily roll-ups of the same
# things, plus many unrelated tables whose columns repeat order_id, customer_id, amount.
DISTRACTORS = [
    ("shop.archive.orders_archive_2019", "Orders before the 2020 migration.", ["order_id", "customer_id", "amount"]),
    ("shop.archive.orders_backup", "Nightly copy of orders.", ["order_id", "amount"]),
    ("shop.events.order_events", "Every state change of an order.", ["order_id", "event_type", "event_time"]),
    ("shop.marts.customer_orders_daily", "Orders per customer and day.", ["customer_id", "order_date", "order_count"]),
    ("shop.staging.stg_shop_payments", "Payments as loaded from the provider.", ["payment_id", "paid_amount"]),
    ("shop.staging.stg_shop_customers", "Customers as loaded from the shop.", ["customer_id", "email_address"]),
    ("shop.marts.revenue_by_region", "Revenue per region and month.", ["region", "month", "revenue"]),
    ("shop.marts.campaignPerformance", "Clicks and spend per campaign.", ["campaignId", "clickCount", "spendEur"]),
]


def generate_catalog(n: int = 300) -> list[int]:
    """Datasets written the way a harvest writes them: bulk rows, then one objects_changed."""
    datasets = [
        Dataset(
            namespace=GENERATED_NAMESPACE,
            name=name,
            short_name=name.rsplit(".", 1)[-1],
            platform="postgres",
            description=desc,
        )
        for name, desc, _ in DISTRACTORS
    ]
    datasets += [
        Dataset(
            namespace=GENERATED_NAMESPACE,
            name=f"shop.lake.table_{i:04d}",
            short_name=f"table_{i:04d}",
            platform="glue" if i % 3 else "postgres",
            description=f"Generated table number {i}.",
        )
        for i in range(n)
    ]
    Dataset.objects.bulk_create(datasets)
    rows = {d.name: d for d in Dataset.objects.filter(namespace=GENERATED_NAMESPACE)}
    columns = [
        Column(dataset=rows[name], name=c, ordinal=i) for name, _, cols in DISTRACTORS for i, c in enumerate(cols)
    ]
    columns += [
        Column(dataset=d, name=c, ordinal=i)
        for d in rows.values()
        if d.name.startswith("shop.lake.")
        for i, c in enumerate(["id", "order_id", "customer_id", "amount", "created_at"])
    ]
    Column.objects.bulk_create(columns)
    ids = [d.pk for d in rows.values()]
    objects_changed(Dataset, ids)
    return ids


@pytest.fixture
def demo_mesh(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        load_demo()


@pytest.fixture
def mesh_with_generated(demo_mesh, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        generate_catalog()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_searchentry")
