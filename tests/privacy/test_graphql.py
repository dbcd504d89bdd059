"""GraphQL: classifications, decisions with typed errors, conflicts, finder, forget requests."""

import json

import pytest

from apps.catalog.testing import make_mesh
from apps.privacy.models import ColumnClassification
from tests.privacy.mini import build_mini

pytestmark = pytest.mark.django_db


@pytest.fixture
def mini():
    mesh = make_mesh()
    return mesh, build_mini(mesh)


def gql(client, query, variables=None):
    r = client.post(
        "/graphql", json.dumps({"query": query, "variables": variables or {}}), content_type="application/json"
    )
    return r.json()


def test_read_classifications_conflicts_and_finder(client, mini, django_assert_max_num_queries):
    mesh, m = mini
    client.force_login(mesh.consumer)
    with django_assert_max_num_queries(16):  # session 2, classifications 1, conflicts 1, finder 10
        body = gql(
            client,
            """query($d: ID!) { datasetClassifications(datasetId: $d) { columnName tag state confidence }
                 privacyConflicts { productSlug categories confirmed }
                 subjectFinder(identifierType: "customer_id", value: "9") }""",
            {"d": m.customers.pk},
        )
    assert "errors" not in body, body
    data = body["data"]
    assert {"columnName": "email", "tag": "pii:email", "state": "suggested", "confidence": 0.8} in data[
        "datasetClassifications"
    ]
    assert data["privacyConflicts"][0]["productSlug"] == "orders"
    assert data["subjectFinder"]["count"] == 3
    bad = gql(client, '{ subjectFinder(identifierType: "shoe") }')
    assert "Unknown subject identifier type" in bad["errors"][0]["message"]


def test_decide_needs_an_owner_and_returns_typed_errors(client, mini):
    mesh, m = mini
    row = ColumnClassification.objects.get(column=m.col(m.customers, "phone"), category="phone")
    mutation = """mutation($id: ID!, $d: String!) { decideClassification(id: $id, decision: $d) {
        classification { state decidedBy } errors { field code message } } }"""
    client.force_login(mesh.consumer)
    out = gql(client, mutation, {"id": row.pk, "d": "confirm"})["data"]["decideClassification"]
    assert out["errors"][0]["code"] == "permission_denied"
    client.force_login(mesh.owner)
    out = gql(client, mutation, {"id": row.pk, "d": "reject"})["data"]["decideClassification"]
    assert out["errors"] == [] and out["classification"] == {"state": "rejected", "decidedBy": "olivia"}


def test_forget_request_mutations(client, mini):
    mesh, _ = mini
    client.force_login(mesh.admin)
    out = gql(
        client,
        """mutation { openForgetRequest(identifierType: "customer_id", reference: "DSR-9") {
            forgetRequest { id status tasks { id productSlug status datasets } } errors { code } } }""",
    )["data"]["openForgetRequest"]
    assert out["errors"] == []
    tasks = {t["productSlug"]: t for t in out["forgetRequest"]["tasks"]}
    assert set(tasks) == {"orders", "leads"}
    client.force_login(mesh.owner)
    out = gql(
        client,
        'mutation($id: ID!) { settleForgetTask(id: $id, status: "done", comment: "erased") { task { status } errors { code } } }',
        {"id": tasks["orders"]["id"]},
    )["data"]["settleForgetTask"]
    assert out == {"task": {"status": "done"}, "errors": []}
    listed = gql(client, "{ forgetRequests { reference tasks { productSlug status } } }")["data"]["forgetRequests"]
    assert listed[0]["reference"] == "DSR-9"
