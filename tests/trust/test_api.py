"""REST and GraphQL: the maturity shape others script against, incidents, errors in one format."""

import json

import pytest
from rest_framework.test import APIClient

from apps.core.actions import create_token
from apps.trust.models import Incident
from apps.trust.scoring import recompute

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {create_token(user, name='tests')[1]}")
    return client


def test_maturity_endpoint_has_the_documented_shape(mesh, django_assert_max_num_queries):
    recompute()
    client = api(mesh.consumer)
    client.get("/api/v1/products/orders/maturity/")
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/products/orders/maturity/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"score", "level", "principles", "next_actions"}
    assert list(body["principles"]) == [
        "discoverable",
        "addressable",
        "trustworthy",
        "self_describing",
        "interoperable",
        "secure",
    ]
    criterion = body["principles"]["self_describing"]["criteria"][0]
    assert set(criterion) >= {"id", "passed", "points", "evidence", "fix"}
    assert criterion["id"] == "columns_described" and criterion["passed"] is False
    assert criterion["evidence"][0]["url"].startswith("/datasets/")
    assert len(body["next_actions"]) == 3 and body["next_actions"][0]["points"] >= body["next_actions"][2]["points"]


def test_an_unscored_product_is_scored_on_first_read(mesh):
    response = api(mesh.consumer).get("/api/v1/products/leads/maturity/")
    assert response.status_code == 200 and 1 <= response.json()["level"] <= 5


def test_errors_are_json(mesh):
    client = api(mesh.consumer)
    missing = client.get("/api/v1/products/nope/maturity/")
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "not_found"
    assert APIClient().get("/api/v1/products/orders/maturity/").status_code in (401, 403)
    bad = client.get("/api/v1/maturity/?level=high")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "level"
    assert client.get("/api/v1/products/orders/incidents/?state=maybe").status_code == 400


def test_leaderboard_lists_scored_products_best_first(mesh):
    recompute()
    rows = api(mesh.consumer).get("/api/v1/maturity/").json()["results"]
    assert [r["product"] for r in rows] == sorted(
        [r["product"] for r in rows], key=lambda s: -next(x["score"] for x in rows if x["product"] == s)
    )
    only_sales = api(mesh.consumer).get("/api/v1/maturity/?domain=sales").json()["results"]
    assert [r["product"] for r in only_sales] == ["orders"]


def test_incidents_over_rest(mesh):
    refused = api(mesh.consumer).post("/api/v1/products/orders/incidents/", {"title": "Wrong"}, format="json")
    assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "permission_denied"
    invalid = api(mesh.owner).post(
        "/api/v1/products/orders/incidents/", {"title": "", "severity": "huge"}, format="json"
    )
    assert invalid.status_code == 400 and {e["field"] for e in invalid.json()["errors"]} == {"title", "severity"}
    created = api(mesh.owner).post(
        "/api/v1/products/orders/incidents/",
        {"title": "Late load", "severity": "minor", "message": "ETA 10:00"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["is_open"] is True
    incident_id = created.json()["id"]
    listed = api(mesh.consumer).get("/api/v1/products/orders/incidents/?state=open").json()
    assert [i["id"] for i in listed] == [incident_id] and listed[0]["updates"][0]["message"] == "ETA 10:00"
    resolved = api(mesh.owner).post(f"/api/v1/incidents/{incident_id}/resolve/", {"message": "Loaded."}, format="json")
    assert resolved.status_code == 200 and resolved.json()["resolved_at"]
    again = api(mesh.owner).post(f"/api/v1/incidents/{incident_id}/resolve/", {}, format="json")
    assert again.status_code == 400 and again.json()["errors"][0]["code"] == "already_resolved"


def test_the_odps_export_carries_the_level(mesh):
    recompute()
    body = api(mesh.consumer).get("/api/v1/products/orders/descriptor").json()
    assert body["customProperties"]["maturity"]["level"] in range(1, 6)


def test_exported_descriptor_with_the_level_applies_back_unchanged(mesh):
    from apps.catalog.descriptors import apply_descriptor, export_descriptor
    from apps.catalog.descriptors.export import dump_yaml
    from apps.catalog.models import DataProduct

    recompute()
    text = dump_yaml(export_descriptor(DataProduct.objects.get(pk=mesh.orders.pk)))
    assert "maturity:" in text
    result = apply_descriptor(mesh.owner, text, dry_run=True)
    assert result.changes == []


def gql(client, query, variables=None):
    return client.post(
        "/graphql", json.dumps({"query": query, "variables": variables or {}}), content_type="application/json"
    ).json()


def test_graphql_maturity_leaderboard_and_incidents(mesh, client):
    recompute()
    client.force_login(mesh.owner)
    data = gql(
        client,
        """{ productMaturity(slug: "orders") { score level principles { name score criteria { id passed points fix evidence { label url } } } nextActions { id points } }
             maturityLeaderboard(first: 5) { product level } }""",
    )["data"]
    assert data["productMaturity"]["principles"][0]["name"] == "discoverable"
    assert {r["product"] for r in data["maturityLeaderboard"]} == {"orders", "leads"}
    opened = gql(
        client,
        'mutation { openIncident(product: "orders", title: "Stale", severity: "minor") { incident { id isOpen } errors { code } } }',
    )
    assert opened["data"]["openIncident"]["errors"] == [] and opened["data"]["openIncident"]["incident"]["isOpen"]
    incident_id = opened["data"]["openIncident"]["incident"]["id"]
    client.force_login(mesh.consumer)
    refused = gql(client, f'mutation {{ resolveIncident(id: "{incident_id}") {{ errors {{ code }} }} }}')
    assert refused["data"]["resolveIncident"]["errors"][0]["code"] == "permission_denied"
    listed = gql(client, '{ incidents(product: "orders", open: true) { title updates { kind } } }')["data"]["incidents"]
    assert listed == [{"title": "Stale", "updates": [{"kind": "opened"}]}]
    assert Incident.objects.get().is_open
