"""Tags: by slug and name; their link filters search by the tag."""

from apps.search.indexes.base import SearchIndex, register, search_page


def _tags_of_products(pks):
    from apps.catalog.models import DataProduct

    return "id", list(
        DataProduct.tags.through.objects.filter(dataproduct_id__in=pks).values_list("tag_id", flat=True).distinct()
    )


def _tags_of_datasets(pks):
    from apps.catalog.models import Dataset
    from apps.core.lookups import AnyOf

    return "id", list(
        Dataset.tags.through.objects.filter(AnyOf("dataset_id", pks)).values_list("tag_id", flat=True).distinct()
    )


TAGS = register(
    SearchIndex(
        kind="tag",
        source="catalog_tag t",
        name="t.name",
        qualified_name="t.slug",
        url_arg="t.slug",
        url=search_page("tag"),
        keys=(),  # a tag's bare name ranks as a part name: what it labels comes first
        weights={"A": ("t.slug",), "B": ("t.name",)},
        multi_facets={"tag": "SELECT tg.id AS object_id, tg.slug AS value FROM catalog_tag tg"},
        depends={
            "catalog.Tag": lambda pks: ("id", pks),
            "catalog.DataProduct": _tags_of_products,
            "catalog.Dataset": _tags_of_datasets,
        },
        order=1,
    )
)
