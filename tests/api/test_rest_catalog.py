"""REST reads and writes of the catalog: shapes, filters, pagination, errors, query counts."""

import pytest
from rest_framework.test import APIClient

from apps.catalog import actions
from apps.core.models import ObjectChange
from apps.core.testing import SYSTEM
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def test_reads_need_login_unless_public_read(mesh, settings):
    assert APIClient().get("/api/v1/products/").status_code == 401
    settings.MESH_PUBLIC_READ = True
    response = APIClient().get("/api/v1/products/")
    assert response.status_code == 200
    assert {p["slug"] for p in response.json()["results"]} == {"orders", "leads"}


def test_product_list_filters_by_domain_subtree_and_lifecycle(mesh):
    client = client_for(mesh, "consumer")
    assert [p["slug"] for p in client.get("/api/v1/products/?domain=sales").json()["results"]] == ["orders"]
    assert [p["slug"] for p in client.get("/api/v1/products/?lifecycle=draft").json()["results"]] == ["leads"]
    assert [p["slug"] for p in client.get("/api/v1/products/?ordering=-name").json()["results"]] == ["orders", "leads"]


def test_product_list_query_count_does_not_grow_with_products(mesh, django_assert_max_num_queries):
    client = client_for(mesh, "consumer")
    client.get("/api/v1/products/")  # warm the content-type cache
    for i in range(30):
        actions.create_product(SYSTEM, domain=mesh.emea, slug=f"p{i}", name=f"P{i}", tags=["x", f"t{i}"])
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/products/?page_size=100")
    assert response.json()["count"] == 32


def test_pagination_caps_page_size(mesh):
    client = client_for(mesh, "consumer")
    body = client.get("/api/v1/products/?page_size=1").json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]


def test_validation_errors_use_the_common_error_body(mesh):
    client = client_for(mesh, "admin")
    response = client.post("/api/v1/products/", {"slug": "bad slug!", "domain": "nowhere"}, format="json")
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"slug", "name", "domain"} <= fields
    assert all(set(e) == {"field", "code", "message"} for e in response.json()["errors"])


def test_stale_revision_is_a_409_conflict_with_changes(mesh):
    client = client_for(mesh, "owner")
    revision = client.get("/api/v1/products/orders/").json()["revision"]
    actions.update_product(SYSTEM, mesh.orders, summary="changed meanwhile")
    response = client.patch(
        "/api/v1/products/orders/", {"summary": "mine", "expected_revision": revision}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["errors"][0]["code"] == "conflict"
    assert body["changes"]["summary"] == ["", "changed meanwhile"]


def test_rest_writes_are_logged_as_rest(mesh):
    client_for(mesh, "owner").patch(
        "/api/v1/products/orders/", {"tags": ["sales", "gold"], "lifecycle": "deprecated"}, format="json"
    )
    mesh.orders.refresh_from_db()
    assert mesh.orders.lifecycle == "deprecated"
    assert sorted(t.slug for t in mesh.orders.tags.all()) == ["gold", "sales"]
    assert ObjectChange.objects.filter(object_id=mesh.orders.pk, via="rest").exists()


def test_port_links_datasets_and_refuses_unknown_ones(mesh):
    dataset = actions.register_dataset(
        SYSTEM, namespace="postgres://wh:5432", name="shop.public.orders", platform="postgres"
    )
    client = client_for(mesh, "owner")
    response = client.patch(f"/api/v1/ports/{mesh.orders_port.pk}/", {"datasets": [dataset.pk]}, format="json")
    assert response.status_code == 200 and response.json()["datasets"] == [dataset.pk]
    response = client.patch(f"/api/v1/ports/{mesh.orders_port.pk}/", {"datasets": [dataset.pk + 999]}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "datasets"


def test_input_port_cannot_consume_an_input_port(mesh):
    inp = actions.create_port(SYSTEM, mesh.leads, name="raw", direction="input")
    response = client_for(mesh, "owner").post(
        "/api/v1/ports/",
        {"product": "orders", "name": "x", "direction": "input", "upstream_port": inp.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "upstream_port", "code": "not_an_output_port", "message": response.json()["errors"][0]["message"]}
    ]


def test_dataset_detail_lists_columns_and_hides_removed_from_lists(mesh):
    live = actions.register_dataset(
        SYSTEM,
        namespace="postgres://wh:5432",
        name="shop.public.orders",
        platform="postgres",
        columns=[{"name": "id", "type": "bigint"}],
    )
    actions.register_dataset(
        SYSTEM,
        namespace="postgres://wh:5432",
        name="shop.public.gone",
        platform="postgres",
        removed_at="2026-01-01T00:00:00Z",
    )
    client = client_for(mesh, "consumer")
    assert [d["name"] for d in client.get("/api/v1/datasets/").json()["results"]] == ["shop.public.orders"]
    assert len(client.get("/api/v1/datasets/?include_removed=true").json()["results"]) == 2
    detail = client.get(f"/api/v1/datasets/{live.pk}/").json()
    assert detail["columns"][0]["name"] == "id" and detail["qualified_name"] == "postgres://wh:5432/shop.public.orders"


def test_openapi_schema_and_docs_are_served_locally(mesh):
    client = client_for(mesh, "consumer")
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200 and "/api/v1/products/{slug}/" in schema.json()["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn." not in html and "unpkg" not in html and "/static/drf_spectacular_sidecar/" in html


def test_triggered_harvest_is_queued_and_its_status_readable(mesh):
    client = client_for(mesh, "admin")
    response = client.post("/api/v1/sources/warehouse/harvest/")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    run_id = response.json()["id"]
    assert client.get(f"/api/v1/harvest-runs/{run_id}/").json()["source"] == "warehouse"
    again = client.post("/api/v1/sources/warehouse/harvest/")
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "already_running"
    listed = client.get("/api/v1/sources/").json()["results"][0]
    assert listed["last_run_status"] == "queued" and listed["secret_keys"] == ["password"]
    assert "s3cr3t" not in client.get("/api/v1/sources/warehouse/").content.decode()


def test_unknown_api_paths_answer_json_404(mesh):
    response = client_for(mesh, "consumer").get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"


def test_port_list_query_count_does_not_grow_with_ports(mesh, django_assert_max_num_queries):
    dataset = actions.register_dataset(
        SYSTEM, namespace="postgres://wh:5432", name="shop.public.orders", platform="postgres"
    )
    for i in range(25):
        actions.create_port(SYSTEM, mesh.orders, name=f"p{i}", direction="output", datasets=[dataset])
    client = client_for(mesh, "consumer")
    client.get("/api/v1/ports/")
    with django_assert_max_num_queries(6):
        body = client.get("/api/v1/ports/?product=orders&page_size=100").json()
    assert body["count"] == 26 and body["results"][1]["datasets"] == [dataset.pk]
