"""Index-time and query-time words agree: Python and the database split names the same way."""

import pytest
from django.db import connection

from apps.search.text import edit_distance, last_two_parts, parse_query, pick_corrections, search_words

SAMPLES = [
    "order_items",
    "orderItems",
    "OrderItems",
    "HTTPServerLog",
    "customer-lifetime-value",
    "sales.orders",
    "mesh_demo_warehouse.sales.orders",
    "postgres://127.0.0.1:5432/db.schema.t",
    "Ünïcode_ÉtéCamelCase",
    "ordres  &|!:*()'\"\\",
    "v1 2024Q1 a__b",
    "",
    "table/db/table",
    "clickCount",
    "ID",
    "Straße",
    "注文_items",
]


def test_names_split_into_words():
    assert search_words("order_items") == search_words("orderItems") == search_words("OrderItems") == "order items"
    assert search_words("HTTPServerLog") == "http server log"
    assert search_words("customer-lifetime-value") == "customer lifetime value"
    assert last_two_parts("mesh_demo_warehouse.sales.orders") == "sales.orders"
    assert last_two_parts("orders") == "orders"
    assert parse_query("Order_Items orderItems!").terms == ["order", "items"]


def test_typos_are_measured_with_transpositions():
    assert edit_distance("ordres", "orders") == 1
    assert edit_distance("paymnets", "payments") == 1
    assert edit_distance("custmer", "customer") == 1
    assert pick_corrections("ordres", [("orders", 5), ("order", 9), ("odd", 1)]) == ["orders"]
    assert pick_corrections("id", [("in", 5)]) == []  # short words are never "corrected"


@pytest.mark.django_db
def test_the_database_splits_words_exactly_like_python():
    with connection.cursor() as cursor:
        for sample in SAMPLES:
            cursor.execute("SELECT mesh_search_words(%s), mesh_last_two(%s)", [sample, sample])
            assert cursor.fetchone() == (search_words(sample), last_two_parts(sample)), sample
