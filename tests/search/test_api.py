"""REST: GET /api/v1/search/ and /api/v1/search/autocomplete/ through the same service."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(demo_mesh):
    client = Client()
    assert client.login(username="casey", password="mesh-demo-consumer")
    return client


def test_search_returns_ranked_hits_with_facets_and_highlights(client):
    response = client.get("/api/v1/search/", {"q": "sales.orders"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"count", "results", "facets"}
    first = body["results"][0]
    assert {k: first[k] for k in ("type", "name", "qualified_name", "url")} == {
        "type": "product",
        "name": "Orders",
        "qualified_name": "sales.orders",
        "url": "/products/orders/",
    }
    assert set(first) >= {"type", "id", "name", "qualified_name", "url", "score", "highlights"}
    assert first["highlights"]["qualified_name"] == "<mark>sales</mark>.<mark>orders</mark>"
    dataset = next(r for r in body["results"] if r["type"] == "dataset")
    assert dataset["qualified_name"] == "postgres://127.0.0.1:5432/mesh_demo_warehouse.sales.orders"
    assert dataset["url"] == f"/datasets/{dataset['id']}/"
    assert set(body["facets"]) == {"type", "domain", "platform", "tag", "owner", "classification", "lifecycle"}
    assert body["facets"]["type"]["product"] >= 1


def test_filters_repeat_and_combine(client):
    body = client.get("/api/v1/search/?q=customer&type=product&type=dataset&domain=sales").json()
    assert body["count"] >= 2
    assert {r["type"] for r in body["results"]} <= {"product", "dataset"}
    body = client.get("/api/v1/search/?q=customer&tag=pii&type=product").json()
    assert [r["name"] for r in body["results"]] == ["Customer Master"]
    body = client.get("/api/v1/search/", {"q": "customer", "page": 2, "page_size": 5}).json()
    assert body["page"] == 2 and len(body["results"]) == 5


@pytest.mark.parametrize(
    "params, field",
    [
        ({"q": "x" * 10_000}, "q"),
        ({"q": "orders", "page": "0"}, "page"),
        ({"q": "orders", "page": "abc"}, "page"),
        ({"q": "orders", "page_size": "1000"}, "page_size"),
    ],
)
def test_bad_requests_get_a_400_with_the_reason(client, params, field):
    response = client.get("/api/v1/search/", params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_odd_queries_never_fail(client):
    for q in ["", "&|!:*()'\"\\", "注文 🚀", "orders&domain=nope", "a" * 500]:
        assert client.get("/api/v1/search/", {"q": q}).status_code == 200
    assert (
        client.get("/api/v1/search/", {"q": "orders\x00"}).json()["errors"][0]["message"]
        == "Null characters are not allowed."
    )
    assert client.get("/api/v1/search/", {"q": "orders", "domain": "no-such-domain"}).json()["count"] == 0


def test_autocomplete_suggests_names_as_you_type(client):
    response = client.get("/api/v1/search/autocomplete/", {"q": "custo"})
    assert response.status_code == 200
    names = [r["name"] for r in response.json()["results"]]
    assert "Customer Master" in names[:3]
    assert (
        client.get("/api/v1/search/autocomplete/", {"q": "deliv"}).json()["results"][0]["name"]
        == "Delivery Performance"
    )
    assert client.get("/api/v1/search/autocomplete/", {"q": "x" * 600}).status_code == 400


def test_reading_needs_a_login_unless_public_read(demo_mesh, settings):
    assert Client().get("/api/v1/search/", {"q": "orders"}).status_code in (401, 403)
    settings.MESH_PUBLIC_READ = True
    assert Client().get("/api/v1/search/", {"q": "orders"}).status_code == 200
    assert Client().get("/api/v1/search/autocomplete/", {"q": "ord"}).status_code == 200


def test_the_openapi_schema_documents_search(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/search/" in schema and "/api/v1/search/autocomplete/" in schema


def test_the_endpoint_costs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    # session and user, typo correction, one statement for candidates + facets + page
    with django_assert_max_num_queries(4):
        assert (
            client.get("/api/v1/search/", {"q": "customer", "tag": "pii", "type": ["product", "dataset"]}).status_code
            == 200
        )
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/search/autocomplete/", {"q": "cust"}).status_code == 200
