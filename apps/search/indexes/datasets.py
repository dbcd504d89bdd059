"""Datasets: the table name first, then its qualified name and tags, then description and columns.

A dataset takes its classification and lifecycle from the product that publishes it
through an output port (the first by id), its domain from its own ``domain`` (set by
mapping rules) or else that product's; a removed dataset's lifecycle is ``removed``.
"""

from apps.search.indexes.base import SearchIndex, joined, register, route

PRIMARY_PRODUCT = """(SELECT min(pt.product_id) FROM catalog_portdataset pd JOIN catalog_port pt ON pt.id = pd.port_id
    WHERE pd.dataset_id = t.id AND pt.direction = 'output')"""
TAG_SLUGS = """(SELECT string_agg(tg.slug, ' ') FROM catalog_dataset_tags dt JOIN catalog_tag tg ON tg.id = dt.tag_id WHERE dt.dataset_id = t.id)"""
# Read by the context and the D words: one scan of the table's columns per row, not two.
COLUMN_NAMES = "cn.value"
COLUMN_NAMES_ROW = "SELECT string_agg(c.name, ' ') AS value FROM catalog_column c WHERE c.dataset_id = t.id"
PRODUCT_NAMES = """(SELECT string_agg(dp.name, ' ') FROM catalog_portdataset pd JOIN catalog_port pt ON pt.id = pd.port_id
    JOIN catalog_dataproduct dp ON dp.id = pt.product_id WHERE pd.dataset_id = t.id AND pt.direction = 'output')"""


def _datasets_of_products(pks):
    from apps.catalog.models import PortDataset

    return "id", list(
        PortDataset.objects.filter(port__product_id__in=pks).values_list("dataset_id", flat=True).distinct()
    )


def _datasets_of_domains(pks):
    from apps.catalog.models import Dataset, PortDataset

    published = PortDataset.objects.filter(port__product__domain_id__in=pks).values_list("dataset_id", flat=True)
    return "id", sorted(set(published) | set(Dataset.objects.filter(domain_id__in=pks).values_list("pk", flat=True)))


DATASETS = register(
    SearchIndex(
        kind="dataset",
        source=f"""catalog_dataset t
            LEFT JOIN catalog_dataproduct p ON p.id = {PRIMARY_PRODUCT}
            LEFT JOIN catalog_domain d ON d.id = coalesce(t.domain_id, p.domain_id)""",
        name="t.name",
        qualified_name="t.namespace || '/' || t.name",
        url_arg="t.id",
        url=route("catalog:dataset_detail"),
        # schema.table first: the key-prefix index then serves "sales.ord" as it is typed
        keys=("mesh_last_two(t.name)", "t.short_name", "t.name", "t.namespace || '/' || t.name"),
        weights={
            "A": ("t.short_name",),
            "B": ("t.name", TAG_SLUGS, "t.platform"),
            "C": ("t.description", PRODUCT_NAMES),
            # Column names rank a table (columns are entries of their own) but do not select it:
            # in a large catalog every table has an "id" or an "order_id".
            "D": (COLUMN_NAMES, "t.namespace", "t.kind", "t.owner", "d.name"),
        },
        summary="t.description",
        context="'columns: ' || " + joined(COLUMN_NAMES),
        per_row={"cn": COLUMN_NAMES_ROW},
        domain="coalesce(d.slug, '')",
        platform="t.platform",
        classification="coalesce(p.classification, '')",
        lifecycle="(CASE WHEN t.removed_at IS NOT NULL THEN 'removed' ELSE coalesce(p.lifecycle, '') END)",
        multi_facets={
            "tag": "SELECT dt.dataset_id AS object_id, tg.slug AS value FROM catalog_dataset_tags dt JOIN catalog_tag tg ON tg.id = dt.tag_id",
            "owner": """SELECT pd.dataset_id AS object_id, coalesce(u.username, tm.slug) AS value FROM catalog_portdataset pd
                JOIN catalog_port pt ON pt.id = pd.port_id AND pt.direction = 'output'
                JOIN catalog_ownership o ON o.product_id = pt.product_id
                LEFT JOIN auth_user u ON u.id = o.user_id LEFT JOIN catalog_team tm ON tm.id = o.team_id""",
        },
        depends={
            "catalog.Dataset": lambda pks: ("id", pks),
            "catalog.DataProduct": _datasets_of_products,
            "catalog.Domain": _datasets_of_domains,
        },
        order=2,
    )
)
