"""Data products: names first, then tags and domain, then summary, docs and ports."""

from apps.search.indexes.base import SearchIndex, joined, register, route

OWNER_LABELS = """(SELECT string_agg(coalesce(u.username || ' ' || u.first_name || ' ' || u.last_name, tm.slug || ' ' || tm.name), ' ')
    FROM catalog_ownership o LEFT JOIN auth_user u ON u.id = o.user_id LEFT JOIN catalog_team tm ON tm.id = o.team_id
    WHERE o.product_id = t.id)"""
TAG_SLUGS = """(SELECT string_agg(tg.slug, ' ') FROM catalog_dataproduct_tags pt JOIN catalog_tag tg ON tg.id = pt.tag_id
    WHERE pt.dataproduct_id = t.id)"""
PORT_LABELS = """(SELECT string_agg(p.name || ' ' || p.protocol || ' ' || p.format, ' ') FROM catalog_port p WHERE p.product_id = t.id)"""
OUTPUT_DATASETS = """(SELECT string_agg(ds.short_name, ' ') FROM catalog_port p JOIN catalog_portdataset pd ON pd.port_id = p.id
    JOIN catalog_dataset ds ON ds.id = pd.dataset_id WHERE p.product_id = t.id AND p.direction = 'output')"""
PRIMARY_PLATFORM = """(SELECT p.protocol FROM catalog_port p WHERE p.product_id = t.id AND p.direction = 'output' ORDER BY p.name LIMIT 1)"""


def _products_of_domains(pks):
    from apps.catalog.models import DataProduct

    return "id", list(DataProduct.objects.filter(domain_id__in=pks).values_list("pk", flat=True))


def _products_of_teams(pks):
    from apps.catalog.models import Ownership

    return "id", list(
        Ownership.objects.filter(team_id__in=pks, product__isnull=False).values_list("product_id", flat=True)
    )


def _products_of_tags(pks):
    from apps.catalog.models import DataProduct

    return "id", list(DataProduct.objects.filter(tags__in=pks).values_list("pk", flat=True).distinct())


PRODUCTS = register(
    SearchIndex(
        kind="product",
        source="catalog_dataproduct t JOIN catalog_domain d ON d.id = t.domain_id",
        name="t.name",
        qualified_name="d.slug || '.' || t.slug",
        url_arg="t.slug",
        url=route("catalog:product_detail"),
        keys=("t.name", "t.slug", "d.slug || '.' || t.slug"),
        weights={
            "A": ("t.name", "t.slug"),
            "B": (TAG_SLUGS, "d.name", "d.slug"),
            "C": ("t.summary", "t.description", OUTPUT_DATASETS),
            "D": (OWNER_LABELS, PORT_LABELS),
        },
        summary="t.summary",
        context="'tags: ' || " + joined(TAG_SLUGS),
        domain="d.slug",
        platform=f"coalesce({PRIMARY_PLATFORM}, '')",
        classification="t.classification",
        lifecycle="t.lifecycle",
        multi_facets={
            "tag": "SELECT pt.dataproduct_id AS object_id, tg.slug AS value FROM catalog_dataproduct_tags pt JOIN catalog_tag tg ON tg.id = pt.tag_id",
            "owner": """SELECT o.product_id AS object_id, coalesce(u.username, tm.slug) AS value FROM catalog_ownership o
                LEFT JOIN auth_user u ON u.id = o.user_id LEFT JOIN catalog_team tm ON tm.id = o.team_id WHERE o.product_id IS NOT NULL""",
        },
        depends={
            "catalog.DataProduct": lambda pks: ("id", pks),
            "catalog.Domain": _products_of_domains,
            "catalog.Team": _products_of_teams,
            "catalog.Tag": _products_of_tags,
        },
        order=1,
    )
)
