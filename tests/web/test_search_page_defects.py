"""Search page: words instead of index field names, grouped column hits, clear notes instead of errors."""

import pytest
from django.test import Client

from apps.search.service import SearchHit
from apps.search.views import group_column_hits

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(mesh):
    from apps.search.indexer import rebuild

    rebuild()
    c = Client()
    c.force_login(mesh.consumer)
    return c


def hit(kind, qn, name=None):
    return SearchHit(kind, abs(hash(qn)) % 10_000, name or qn.rsplit(".", 1)[-1], qn, "/x/", 1.0, {})


def test_column_hits_are_grouped_under_their_dataset():
    hits = [hit("product", "orders")]
    hits += [hit("column", f"db.sales.orders.c{i}") for i in range(5)]
    hits += [hit("column", "db.sales.items.order_id"), hit("dataset", "db.sales.items")]
    items = group_column_hits(hits)
    assert [i["hit"].type if i["hit"] else i["parent"] for i in items] == [
        "product",
        "db.sales.orders",
        "db.sales.items",
        "dataset",
    ]
    assert len(items[1]["columns"]) == 3 and items[1]["more"] == 2


def test_results_carry_no_index_field_names(client):
    body = client.get("/search/", {"q": "orders"}).content.decode()
    assert "qualified_name" not in body and ">context<" not in body.lower()


def test_a_page_beyond_the_results_says_so_and_shows_the_last_page(client):
    body = client.get("/search/", {"q": "orders", "page": 999}).content.decode()
    assert "There is no page 999" in body and "beyond the first" not in body and "errorlist" not in body


def test_a_huge_query_is_cut_and_the_page_says_so(client):
    response = client.get("/search/", {"q": "orders " * 1000})
    body = response.content.decode()
    assert response.status_code == 200 and "cut to its first 200 characters" in body
    assert "orders " * 100 not in body
