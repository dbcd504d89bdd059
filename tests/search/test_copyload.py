"""Entries written by COPY (words split in Python) equal those INSERT … SELECT writes with the
SQL word function, row for row, for every kind of the demo mesh plus awkward names."""

from unittest import mock

import pytest
from django.db import connection

from apps.catalog.models import Column, Dataset
from apps.search import indexer

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is the PostgreSQL path")

FIELDS = [c for c in indexer.ENTRY_COLUMNS if c != "popularity"] + ["document"]


def snapshot():
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(FIELDS)} FROM search_searchentry ORDER BY kind, object_id"  # document: the tsvector
        )
        entries = cursor.fetchall()
        cursor.execute(
            """SELECT e.kind, e.object_id, f.facet, f.value FROM search_searchfacet f
               JOIN search_searchentry e ON e.id = f.entry_id ORDER BY 1, 2, 3, 4"""
        )
        return entries, cursor.fetchall()


def test_copy_and_insert_select_write_identical_entries(mesh_with_generated):
    odd = Dataset.objects.create(
        namespace="s3://lake",
        name="Bronze/RAW.OrderItemsV2_ÄÖü",
        short_name="OrderItemsV2_ÄÖü",
        platform="glue",
        description="HTTPServer logs—über naïve 'quotes' \\ back\tslash",
    )
    Column.objects.bulk_create(
        [
            Column(dataset=odd, name="HTTPRequestID", ordinal=1, data_type="varchar(10)", tags=["PII", "gdpr-art9"]),
            Column(dataset=odd, name="__x__", ordinal=2, description="", data_type=""),
            Column(dataset=odd, name="camelCaseURLValue2", ordinal=3, description="Émoji 🎉 and\nnewline"),
        ]
    )
    with mock.patch.object(indexer, "COPY_ENTRIES", True):
        indexer.rebuild()
        by_copy, facets_copy = snapshot()
    with mock.patch.object(indexer, "COPY_ENTRIES", False):
        indexer.rebuild()
        by_sql, facets_sql = snapshot()
    assert len(by_copy) > 1000 and any(row[0] == "column" and row[3] == "HTTPRequestID" for row in by_copy)
    assert by_copy == by_sql
    assert facets_copy == facets_sql and any(f[2] == "tag" and f[3] == "PII" for f in facets_copy)
