"""The mesh ``api_bench.py`` times: generated with set-based SQL, and the owners added through the ORM."""

WORDS = [
    "order",
    "customer",
    "payment",
    "invoice",
    "shipment",
    "product",
    "account",
    "session",
    "event",
    "revenue",
    "refund",
    "cart",
    "checkout",
    "stock",
    "campaign",
    "lead",
    "ticket",
]


def setup_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def generate(cursor, n_datasets: int, n_products: int, n_columns: int) -> dict:
    """The mesh in a dozen INSERT … SELECT statements."""
    w, nw = "ARRAY[" + ",".join(f"'{x}'" for x in WORDS) + "]", len(WORDS)
    steps = [
        """INSERT INTO catalog_domain (slug, name, description, parent_id, path, depth, created_at, updated_at)
            SELECT 'domain-' || i, 'Domain ' || i, '', NULL, '/domain-' || i || '/', 0, now(), now() FROM generate_series(1, 20) i""",
        f"""INSERT INTO catalog_tag (slug, name) SELECT ({w})[i] || '-tag', ({w})[i] || '-tag' FROM generate_series(1, {nw}) i""",
        f"""INSERT INTO catalog_dataset (namespace, name, short_name, platform, kind, description, owner, first_seen_at, last_seen_at, properties, schema_hash)
            SELECT 'postgres://wh:5432', 'warehouse.' || ({w})[1 + i % {nw}] || '.' || ({w})[1 + (i * 7) % {nw}] || '_' || i,
                   ({w})[1 + (i * 7) % {nw}] || '_' || i, 'postgres', 'table', 'One row per ' || ({w})[1 + (i * 3) % {nw}] || '.', 'etl', now(), now(), '{{}}', ''
            FROM generate_series(1, {n_datasets}) i""",
        f"""INSERT INTO catalog_column (dataset_id, name, ordinal, data_type, nullable, "default", description, is_primary_key, is_generated, tags)
            SELECT d.id, 'col_' || j, j, 'text', j > 0, '', '', j = 0, false, '[]' FROM catalog_dataset d CROSS JOIN generate_series(0, {n_columns - 1}) j""",
        # every dataset after the first 100 is fed by the one 100 before it and the one just before it
        """INSERT INTO catalog_lineageedge (upstream_id, downstream_id, evidence, details, created_at)
            SELECT d.id - 100, d.id, 'view_sql', '{}', now() FROM catalog_dataset d WHERE d.id - 100 >= (SELECT min(id) FROM catalog_dataset)""",
        """INSERT INTO catalog_lineageedge (upstream_id, downstream_id, evidence, details, created_at)
            SELECT d.id - 1, d.id, 'dbt', '{}', now() FROM catalog_dataset d WHERE d.id % 50 <> 0 AND d.id - 1 >= (SELECT min(id) FROM catalog_dataset)""",
        f"""INSERT INTO catalog_dataproduct (slug, domain_id, name, summary, description, lifecycle, classification, cost_currency, revision, created_at, updated_at)
            SELECT 'product-' || i, (SELECT min(id) FROM catalog_domain) + i % 20, initcap(({w})[1 + i % {nw}]) || ' ' || i,
                   'The ' || ({w})[1 + i % {nw}] || ' product', 'Documentation of product ' || i, 'published', 'internal', '', 1, now(), now()
            FROM generate_series(1, {n_products}) i""",
        """INSERT INTO catalog_dataproduct_tags (dataproduct_id, tag_id)
            SELECT p.id, (SELECT min(id) FROM catalog_tag) + (p.id + k * 5) % 17 FROM catalog_dataproduct p CROSS JOIN generate_series(1, 3) k""",
        """INSERT INTO catalog_port (product_id, direction, name, protocol, format, endpoint, endpoint_details, description, created_at, updated_at)
            SELECT p.id, 'output', 'tables_' || k, 'postgres', 'table', 'postgres://wh:5432/warehouse', '{}', '', now(), now()
            FROM catalog_dataproduct p CROSS JOIN generate_series(1, 2) k""",
        """INSERT INTO catalog_portdataset (port_id, dataset_id)
            SELECT port.id, d.id FROM catalog_port port
            JOIN catalog_dataset d ON d.id - (SELECT min(id) FROM catalog_dataset)
                BETWEEN ((port.id - (SELECT min(id) FROM catalog_port)) * 5) % (SELECT count(*) FROM catalog_dataset)
                AND ((port.id - (SELECT min(id) FROM catalog_port)) * 5) % (SELECT count(*) FROM catalog_dataset) + 4""",
        """INSERT INTO catalog_port (product_id, direction, name, protocol, format, endpoint, endpoint_details, description, upstream_port_id, created_at, updated_at)
            SELECT p.id, 'input', 'upstream', 'postgres', '', '', '{}', '',
                   (SELECT min(o.id) FROM catalog_port o JOIN catalog_dataproduct q ON q.id = o.product_id WHERE q.id = p.id - 1 AND o.direction = 'output'), now(), now()
            FROM catalog_dataproduct p WHERE p.id > (SELECT min(id) FROM catalog_dataproduct)""",
    ]
    for sql in steps:
        cursor.execute(sql)
    counts = {}
    for table in ("catalog_dataproduct", "catalog_port", "catalog_dataset", "catalog_column", "catalog_lineageedge"):
        cursor.execute(f"SELECT count(*) FROM {table}")
        counts[table] = cursor.fetchone()[0]
    return counts


def add_owners(n_users: int) -> None:
    from django.contrib.auth import get_user_model

    from apps.catalog.models import DataProduct, Ownership

    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"owner{i}", email=f"owner{i}@example.com") for i in range(n_users)]
    )
    products = list(DataProduct.objects.values_list("id", flat=True))
    Ownership.objects.bulk_create(
        [
            Ownership(product_id=pid, user=users[(i + k) % n_users], role=role)
            for i, pid in enumerate(products)
            for k, role in ((0, "owner"), (1, "steward"))
        ]
    )
