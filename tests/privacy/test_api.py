"""REST: classifications, decisions, conflicts, finder and forget requests; errors and query counts."""

import pytest

from apps.catalog.testing import make_mesh
from apps.privacy.models import ColumnClassification, ForgetRequest, State
from tests.api.conftest import client_for
from tests.privacy.mini import build_mini

pytestmark = pytest.mark.django_db


@pytest.fixture
def mini():
    mesh = make_mesh()
    return mesh, build_mini(mesh)


def test_dataset_classifications(mini, django_assert_max_num_queries):
    mesh, m = mini
    client = client_for(mesh, "consumer")
    with django_assert_max_num_queries(6):
        body = client.get(f"/api/v1/datasets/{m.customers.pk}/classifications/").json()
    found = {(r["column"]["name"], r["tag"], r["state"]) for r in body["results"]}
    assert ("email", "pii:email", "suggested") in found and ("customer_id", "subject:customer_id", "suggested") in found
    assert client.get("/api/v1/datasets/999999/classifications/").json()["errors"][0]["code"] == "not_found"
    assert client_for(mesh, "anonymous").get(f"/api/v1/datasets/{m.customers.pk}/classifications/").status_code in (
        401,
        403,
    )


def test_decisions_need_an_owner_and_a_valid_choice(mini):
    mesh, m = mini
    row = ColumnClassification.objects.get(column=m.col(m.customers, "email"), category="email")
    url = f"/api/v1/privacy/classifications/{row.pk}/decision/"
    r = client_for(mesh, "consumer").post(url, {"decision": "confirm"}, format="json")
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "permission_denied"
    r = client_for(mesh, "owner").post(url, {"decision": "maybe"}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "decision"
    r = client_for(mesh, "owner").post(url, {"decision": "confirm"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "confirmed" and r.json()["decided_by"] == "olivia"
    row.refresh_from_db()
    assert row.state == State.CONFIRMED
    from apps.core.models import ObjectChange

    assert ObjectChange.objects.filter(object_id=row.pk, via="rest").exists()


def test_list_filters_and_bad_params(mini, django_assert_max_num_queries):
    mesh, _ = mini
    client = client_for(mesh, "consumer")
    with django_assert_max_num_queries(6):
        body = client.get("/api/v1/privacy/classifications/?category=email&page_size=100").json()
    assert body["count"] >= 3 and {r["category"] for r in body["results"]} == {"email"}
    r = client.get("/api/v1/privacy/classifications/?state=nope")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "state"


def test_conflicts_by_domain(mini):
    mesh, _ = mini
    body = client_for(mesh, "consumer").get("/api/v1/privacy/conflicts/").json()
    products = {c["product"]["slug"] for d in body["domains"] for c in d["conflicts"]}
    assert "orders" in products


def test_finder_endpoint(mini):
    mesh, _ = mini
    client = client_for(mesh, "consumer")
    body = client.get("/api/v1/privacy/subjects/customer_id/?value=7").json()
    assert body["count"] == 3 and body["datasets"][0]["queries"]["params"] == {"subject": "7"}
    r = client.get("/api/v1/privacy/subjects/shoe_size/")
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "invalid_choice"
    r = client.get("/api/v1/privacy/subjects/customer_id/?value=" + "x" * 600)
    assert r.status_code == 400
    assert "customer_id" in client.get("/api/v1/privacy/subjects/").json()["identifier_types"]


def test_forget_request_flow_and_exports(mini, django_assert_max_num_queries):
    mesh, _ = mini
    admin, owner, consumer = (client_for(mesh, r) for r in ("admin", "owner", "consumer"))
    r = consumer.post("/api/v1/privacy/forget-requests/", {"identifier_type": "customer_id", "reference": "T-1"})
    assert r.status_code == 403
    r = admin.post("/api/v1/privacy/forget-requests/", {"identifier_type": "customer_id", "reference": "x" * 300})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "reference"
    r = admin.post(
        "/api/v1/privacy/forget-requests/",
        {"identifier_type": "customer_id", "reference": "GDPR-2026-17"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    tasks = {t["product"]: t for t in body["tasks"]}
    assert set(tasks) == {"orders", "leads"}
    from apps.core.models import Event

    assert set(Event.objects.filter(type="mesh.privacy.forget_requested").values_list("product_slug", flat=True)) == {
        "orders",
        "leads",
    }
    # the owner of orders sees the request and settles their task, but not leads' task
    assert owner.get(f"/api/v1/privacy/forget-requests/{body['id']}/").status_code == 200
    assert consumer.get(f"/api/v1/privacy/forget-requests/{body['id']}/").status_code == 403
    r = owner.patch(f"/api/v1/privacy/forget-tasks/{tasks['leads']['id']}/", {"status": "done"}, format="json")
    assert r.status_code == 403
    r = owner.patch(
        f"/api/v1/privacy/forget-tasks/{tasks['orders']['id']}/", {"status": "not_applicable"}, format="json"
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "comment"
    r = owner.patch(
        f"/api/v1/privacy/forget-tasks/{tasks['orders']['id']}/",
        {"status": "done", "comment": "deleted"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["done_by"] == "olivia"
    r = admin.patch(
        f"/api/v1/privacy/forget-tasks/{tasks['leads']['id']}/", {"status": "done", "comment": "ok"}, format="json"
    )
    assert ForgetRequest.objects.get(pk=body["id"]).status == "closed"
    csv_text = admin.get(f"/api/v1/privacy/forget-requests/{body['id']}/export/?format=csv").content.decode()
    assert csv_text.splitlines()[0].startswith("request,reference,identifier_type,product")
    assert "DELETE FROM crm.customers WHERE customer_id = %(subject)s" in csv_text
    exported = admin.get(f"/api/v1/privacy/forget-requests/{body['id']}/export/?format=json").json()
    assert exported["status"] == "closed" and len(exported["tasks"]) == 2
    assert admin.get(f"/api/v1/privacy/forget-requests/{body['id']}/export/?format=xml").status_code == 400
    with django_assert_max_num_queries(8):
        listing = owner.get("/api/v1/privacy/forget-requests/").json()
    assert listing["count"] == 1
    from apps.core.history import history_for

    assert history_for(ForgetRequest.objects.get(pk=body["id"])).count() >= 4


def test_mark_anonymised_and_classify_column(mini):
    mesh, m = mini
    owner = client_for(mesh, "owner")
    r = owner.post(
        "/api/v1/privacy/anonymised/",
        {"dataset": m.emails.pk, "column": m.col(m.emails, "email_hash").pk, "method": "hash"},
        format="json",
    )
    assert r.status_code == 201
    r = owner.post(f"/api/v1/privacy/columns/{m.col(m.customers, 'city').pk}/classifications/", {"category": "address"})
    assert r.status_code == 201 and r.json()["state"] == "confirmed" and r.json()["origin"] == "manual"
    r = owner.post(f"/api/v1/privacy/columns/{m.col(m.customers, 'city').pk}/classifications/", {"category": "shoe"})
    assert r.status_code == 400
    r = client_for(mesh, "consumer").post(
        f"/api/v1/privacy/columns/{m.col(m.customers, 'city').pk}/classifications/", {"category": "address"}
    )
    assert r.status_code == 403
