"""The judged query set: what a person typing the query wants to find, and how high.

Each case is (query, expected type, expected name, worst acceptable rank). Shared by the
PostgreSQL run and the SQLite run (``test_sqlite_backend``), which must both reach the
pinned mean reciprocal rank.
"""

CASES = [
    # exact names and qualified names
    ("orders", "product", "Orders", 1),
    ("Orders", "product", "Orders", 1),
    ("sales.orders", "product", "Orders", 1),
    ("mesh_demo_warehouse.sales.orders", "dataset", "mesh_demo_warehouse.sales.orders", 1),
    ("order_items", "dataset", "mesh_demo_warehouse.sales.order_items", 1),
    ("customer lifetime value", "product", "Customer Lifetime Value", 1),
    ("customer-lifetime-value", "product", "Customer Lifetime Value", 1),
    ("Daily Revenue", "product", "Daily Revenue", 1),
    ("shipments.events.v1", "dataset", "shipments.events.v1", 1),
    ("payments", "product", "Payments", 1),
    ("raw.payments", "dataset", "mesh_demo_warehouse.raw.payments", 1),
    ("customer master", "product", "Customer Master", 1),
    ("invoices", "product", "Invoices", 1),
    # prefixes, as typed
    ("deliv", "product", "Delivery Performance", 1),
    ("warehouse st", "product", "Warehouse Stock", 1),
    ("campaign attr", "product", "Campaign Attribution", 1),
    ("segm", "product", "Customer Segments", 3),
    ("cust", "product", "Customer Master", 3),
    # typos
    ("ordres", "product", "Orders", 1),
    ("custmer master", "product", "Customer Master", 1),
    ("paymnets", "product", "Payments", 1),
    ("shipmnets", "product", "Shipments", 1),
    ("attribtion", "product", "Campaign Attribution", 1),
    ("delivry performance", "product", "Delivery Performance", 1),
    ("revenu", "product", "Daily Revenue", 3),
    # several words, not all of which must match
    ("order items", "dataset", "mesh_demo_warehouse.sales.order_items", 1),
    ("orderItems", "dataset", "mesh_demo_warehouse.sales.order_items", 1),
    ("revenue per day", "product", "Daily Revenue", 3),
    ("customer segments rfm", "product", "Customer Segments", 1),
    ("stock levels warehouse", "product", "Warehouse Stock", 1),
    ("email engagement opens", "product", "Email Engagement", 1),
    ("on-time delivery rate", "product", "Delivery Performance", 3),
    # column names
    ("payment_method", "column", "payment_method", 1),
    ("lifetime_value", "column", "lifetime_value", 1),
    ("recency_days", "column", "recency_days", 1),
    ("unit price", "column", "unit_price", 1),
    ("orders.order_id", "column", "order_id", 1),
    ("clickCount", "column", "clickCount", 1),
    # owners
    ("olivia", "person", "Olivia Owner", 1),
    ("Fatima Finance", "person", "Fatima Finance", 1),
    ("growth marketing", "team", "Growth Marketing", 1),
    ("sales analytics", "team", "Sales Analytics", 1),
    # domains
    ("finance", "domain", "Finance", 1),
    ("logistics", "domain", "Logistics", 1),
    ("sales emea", "domain", "Sales EMEA", 1),
    ("marketing", "domain", "Marketing", 1),
    # tags
    ("gold", "tag", "gold", 1),
    ("pii", "tag", "pii", 3),
    # generated datasets among near-misses
    ("orders_archive_2019", "dataset", "shop.archive.orders_archive_2019", 1),
    ("customer orders daily", "dataset", "shop.marts.customer_orders_daily", 1),
    ("ordr events", "dataset", "shop.events.order_events", 3),
    ("stg_shop_pay", "dataset", "shop.staging.stg_shop_payments", 1),
    ("campaign performance", "dataset", "shop.marts.campaignPerformance", 1),
    ("revenue by region", "dataset", "shop.marts.revenue_by_region", 1),
    ("table_0042", "dataset", "shop.lake.table_0042", 1),
]


def rank_of(hits, kind: str, name: str) -> int | None:
    for position, hit in enumerate(hits, start=1):
        if hit.type == kind and hit.name == name:
            return position
    return None


def evaluate(search) -> tuple[float, list[str]]:
    """(MRR over the top 10, failures) for ``search(q) -> list[SearchHit]``; prints the cases not first."""
    reciprocal, failures = [], []
    for query, kind, name, worst in CASES:
        rank = rank_of(search(query), kind, name)
        reciprocal.append(1 / rank if rank else 0.0)
        if rank != 1:
            print(f"  {query!r}: {kind} {name!r} ranked {rank}")
        if rank is None or rank > worst:
            failures.append(f"{query!r}: expected {kind} {name!r} at ≤ {worst}, got {rank}")
    return sum(reciprocal) / len(reciprocal), failures
