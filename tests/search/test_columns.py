"""Columns have no entries: their rows are computed at query time, equal to what the
declaration's keys and weights give, and they are found, filtered and faceted as before."""

import dataclasses

import pytest
from django.db import connection

from apps.catalog.models import Column, Dataset
from apps.core.hooks import objects_changed
from apps.search.indexer import ENTRY_COLUMNS, select_sql
from apps.search.indexes.columns import COLUMNS
from apps.search.models import SearchEntry
from apps.search.service import search

pytestmark = pytest.mark.django_db

# The declaration read literally: every word split by mesh_search_words, the dataset joined.
REFERENCE = dataclasses.replace(
    COLUMNS, fields={}, source=COLUMNS.source + " JOIN catalog_dataset ds ON ds.id = t.dataset_id"
)


def rows(index):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({select_sql(index)}) x ORDER BY x.object_id")
        return cursor.fetchall()


@pytest.fixture
def odd_columns(mesh_with_generated, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        odd = Dataset.objects.create(
            namespace="s3://lake",
            name="Bronze/RAW.OrderItemsV2_ÄÖü",
            short_name="OrderItemsV2_ÄÖü",
            platform="glue",
            description="HTTPServer logs",
        )
        Column.objects.bulk_create(
            [
                Column(
                    dataset=odd, name="HTTPRequestID", ordinal=1, data_type="varchar(10)", tags=["PII", "gdpr-art9"]
                ),
                Column(dataset=odd, name="__x__", ordinal=2, description="", data_type=""),
                Column(dataset=odd, name="camelCaseURLValue2", ordinal=3, description="Émoji 🎉 and\nnewline"),
            ]
        )
        objects_changed(Dataset, [odd.pk])
    return odd


def test_query_time_rows_equal_the_declared_words(odd_columns):
    computed, reference = rows(COLUMNS), rows(REFERENCE)
    assert len(computed) == Column.objects.count() > 1000
    assert [dict(zip(ENTRY_COLUMNS, r, strict=True)) for r in computed] == [
        dict(zip(ENTRY_COLUMNS, r, strict=True)) for r in reference
    ]


def test_column_hits_name_their_dataset_and_link_to_it(odd_columns):
    assert not SearchEntry.objects.filter(kind="column").exists()
    hit = search("HTTPRequestID").results[0]
    assert (hit.type, hit.name, hit.qualified_name) == (
        "column",
        "HTTPRequestID",
        "Bronze/RAW.OrderItemsV2_ÄÖü.HTTPRequestID",
    )
    assert hit.url == f"/datasets/{odd_columns.pk}/#column-HTTPRequestID"
    assert hit.extra["platform"] == "glue" and "varchar" in hit.extra["context"]
    qualified = search("OrderItemsV2_ÄÖü.camelCaseURL").results[0]
    assert (qualified.type, qualified.name) == ("column", "camelCaseURLValue2")


def test_column_tags_filter_and_count_like_other_facets(odd_columns):
    tagged = search("http request", filters={"tag": ["PII"]})
    assert [(h.type, h.name) for h in tagged.results] == [("column", "HTTPRequestID")]
    assert tagged.facets["tag"] == {"PII": 1, "gdpr-art9": 1}
    assert search("http request", filters={"owner": ["olivia"], "type": ["column"]}).count == 0
    browsed = search("", filters={"type": ["column"], "platform": ["glue"]})
    assert browsed.count >= 3 and {h.type for h in browsed.results} == {"column"}
