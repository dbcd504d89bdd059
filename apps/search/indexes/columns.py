"""Columns: found by their own name, shown with their dataset; facets come from the dataset's entry.

Columns are indexed per dataset (``parent``): a harvest that replaces a dataset's columns
replaces their entries, with no stale entry left behind.
"""

from apps.search.indexes.base import SearchIndex, register, route


def _columns_of_products(pks):
    from apps.catalog.models import PortDataset

    return "parent", list(
        PortDataset.objects.filter(port__product_id__in=pks).values_list("dataset_id", flat=True).distinct()
    )


def _columns_of_domains(pks):
    from apps.search.indexes.datasets import _datasets_of_domains

    return "parent", _datasets_of_domains(pks)[1]


COLUMNS = register(
    SearchIndex(
        kind="column",
        source="""catalog_column t JOIN catalog_dataset ds ON ds.id = t.dataset_id
            JOIN search_searchentry de ON de.kind = 'dataset' AND de.object_id = t.dataset_id""",
        name="t.name",
        qualified_name="ds.name || '.' || t.name",
        url_arg="t.dataset_id",
        url=route("catalog:dataset_detail", fragment=lambda name: f"#column-{name}"),
        # A column's exact name is qualified (orders.order_id); its bare name ranks as a part name.
        keys=("ds.short_name || '.' || t.name", "mesh_last_two(ds.name) || '.' || t.name"),
        weights={
            "A": ("t.name",),
            "B": ("ds.short_name", "CAST(t.tags AS TEXT)"),
            "C": ("t.description",),
            "D": ("t.data_type",),
        },
        summary="t.description",
        context="'in ' || ds.name || ' (' || t.data_type || ')'",
        domain="de.domain",
        platform="de.platform",
        classification="de.classification",
        lifecycle="de.lifecycle",
        parent="t.dataset_id",
        multi_facets={
            "tag": "SELECT c.id AS object_id, j.value AS value FROM catalog_column c, {json_values:c.tags:j}"
        },
        depends={
            "catalog.Dataset": lambda pks: ("parent", pks),
            "catalog.DataProduct": _columns_of_products,
            "catalog.Domain": _columns_of_domains,
        },
        order=3,
    )
)
