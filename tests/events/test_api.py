"""REST API of events: the cursor feed, inbox, follows, preferences, webhooks and deliveries."""

import pytest

from apps.catalog import actions
from apps.catalog.testing import make_mesh
from apps.core.testing import SYSTEM
from apps.events.models import WebhookDelivery
from tests.events.receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mesh():
    m = make_mesh()
    m.out = actions.create_port(SYSTEM, m.orders, name="orders-tables", direction="output")
    return m


@pytest.fixture
def api(client):
    current = {}

    def call(user, method, url, body=None):
        if current.get("user") != user.pk:  # log in outside of query-counted blocks
            client.force_login(user)
            current["user"] = user.pk
        kwargs = {"content_type": "application/json"} if body is not None else {}
        return getattr(client, method)(url, body, **kwargs) if body is not None else getattr(client, method)(url)

    return call


def test_event_feed_is_a_cursor_that_never_repeats(api, mesh, django_assert_max_num_queries):
    for i in range(5):
        actions.update_product(mesh.owner, mesh.orders, summary=f"v{i}")
    first = api(mesh.consumer, "get", "/api/v1/events/?type=mesh.product.updated&limit=3").json()
    assert [e["data"]["changes"]["summary"]["after"] for e in first["events"]] == ["v0", "v1", "v2"]
    api(mesh.consumer, "get", "/api/v1/events/?limit=1")
    with django_assert_max_num_queries(4):
        rest = api(
            mesh.consumer, "get", f"/api/v1/events/?type=mesh.product.updated&after={first['next_after']}"
        ).json()
    assert [e["data"]["changes"]["summary"]["after"] for e in rest["events"]] == ["v3", "v4"]
    assert rest["events"][0]["specversion"] == "1.0" and rest["events"][0]["sequence"] == rest["next_after"] - 1
    prefix = api(mesh.consumer, "get", "/api/v1/events/?type=mesh.port.").json()
    assert {e["type"] for e in prefix["events"]} == {"mesh.port.created"}
    bad = api(mesh.consumer, "get", "/api/v1/events/?after=abc")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "after"


def test_access_events_stay_out_of_the_public_feed(api, mesh):
    from apps.governance import actions as access

    access.request_access(mesh.consumer, mesh.out, reason="a private reason for access")
    assert not [
        e for e in api(mesh.consumer, "get", "/api/v1/events/").json()["events"] if e["type"].startswith("mesh.access.")
    ]
    assert [
        e for e in api(mesh.admin, "get", "/api/v1/events/").json()["events"] if e["type"] == "mesh.access.requested"
    ]


def test_inbox_api_and_mark_read(api, mesh):
    actions.update_product(mesh.domain_owner, mesh.orders, summary="x")
    body = api(mesh.owner, "get", "/api/v1/inbox/?unread=1").json()
    assert body["count"] >= 1 and body["results"][0]["reason"] == "you own orders"
    assert body["results"][0]["event"]["type"] == "mesh.product.updated"
    assert api(mesh.owner, "post", "/api/v1/inbox/read/", {"all": True}).json()["marked"] == body["count"]
    assert api(mesh.owner, "get", "/api/v1/inbox/?unread=1").json()["count"] == 0
    bad = api(mesh.owner, "post", "/api/v1/inbox/read/", {"ids": "nope"})
    assert bad.status_code == 400 and "errors" in bad.json()


def test_follows_and_preferences(api, mesh):
    assert api(mesh.consumer, "post", "/api/v1/follows/", {"target": "product", "key": "orders"}).status_code == 201
    assert api(mesh.consumer, "get", "/api/v1/follows/").json()["follows"][0]["key"] == "orders"
    missing = api(mesh.consumer, "post", "/api/v1/follows/", {"target": "product", "key": "nope"})
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "not_found"
    bad = api(mesh.consumer, "put", "/api/v1/preferences/", {"event_type": "mesh.nope.x", "email": "off"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "unknown_event_type"
    ok = api(mesh.consumer, "put", "/api/v1/preferences/", {"event_type": "mesh.product.updated", "email": "daily"})
    assert ok.json() == {"event_type": "mesh.product.updated", "in_app": True, "email": "daily"}


def test_webhook_api_creates_lists_and_logs_deliveries(api, mesh, settings, django_assert_max_num_queries):
    settings.MESH_WEBHOOK_ALLOW_PRIVATE = True
    receiver = Receiver().start()
    try:
        created = api(
            mesh.owner,
            "post",
            "/api/v1/webhooks/",
            {"url": receiver.url, "event_types": ["mesh.product.updated"], "product": "orders"},
        )
        assert created.status_code == 201, created.json()
        sub = created.json()
        assert sub["secret"].startswith("whsec_") and sub["product"] == "orders"
        receiver.secrets = [sub["secret"]]
        listed = api(mesh.owner, "get", "/api/v1/webhooks/").json()["results"]
        assert listed[0]["id"] == sub["id"] and "secret" not in listed[0]
        for i in range(3):
            actions.update_product(mesh.owner, mesh.orders, summary=f"v{i}")
        api(mesh.owner, "get", f"/api/v1/webhooks/{sub['id']}/deliveries/?status=dead")
        with django_assert_max_num_queries(8):
            log = api(mesh.owner, "get", f"/api/v1/webhooks/{sub['id']}/deliveries/").json()
        assert [d["status"] for d in log["results"]] == ["succeeded"] * 3
        assert log["results"][0]["attempt_log"][0]["status_code"] == 204
        assert {d["webhook_id"] for d in log["results"]} == set(receiver.ids())
        d = WebhookDelivery.objects.first()
        again = api(mesh.owner, "post", f"/api/v1/webhooks/{sub['id']}/deliveries/{d.pk}/redeliver/", {})
        assert again.status_code == 202 and receiver.ids().count(d.webhook_id) == 2
        rotated = api(mesh.owner, "post", f"/api/v1/webhooks/{sub['id']}/rotate-secret/", {}).json()["secret"]
        assert rotated.startswith("whsec_") and rotated != sub["secret"]
        assert api(mesh.consumer, "get", f"/api/v1/webhooks/{sub['id']}/deliveries/").status_code == 404
    finally:
        receiver.stop()


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"url": "http://10.0.0.5/hook", "product": "orders"}, "url", "unsafe_url"),
        ({"url": "gopher://x", "product": "orders"}, "url", "unsafe_url"),
        ({"url": "https://93.184.215.14/" + "a" * 600, "product": "orders"}, "url", "max_length"),
        (
            {"url": "https://93.184.215.14/", "product": "orders", "event_types": ["mesh.no.such"]},
            "event_types",
            "unknown_event_type",
        ),
        ({"url": "https://93.184.215.14/", "product": "ghost"}, "product", "not_found"),
        ({"product": "orders"}, "url", "required"),
    ],
)
def test_webhook_api_bad_input_is_a_clear_error(api, mesh, body, field, code):
    response = api(mesh.owner, "post", "/api/v1/webhooks/", body)
    assert response.status_code in (400, 404), response.content
    error = response.json()["errors"][0]
    assert (error["field"], error["code"]) == (field, code)


def test_consumers_cannot_subscribe_to_others_products(api, mesh):
    response = api(mesh.consumer, "post", "/api/v1/webhooks/", {"url": "https://93.184.215.14/", "product": "orders"})
    assert response.status_code == 403 and response.json()["errors"][0]["code"] == "permission_denied"


def test_personal_endpoints_need_a_login_and_a_json_object(client, api, mesh, settings):
    settings.MESH_PUBLIC_READ = True
    for url in ("/api/v1/inbox/", "/api/v1/follows/", "/api/v1/preferences/", "/api/v1/webhooks/"):
        response = client.get(url)
        assert response.status_code in (401, 403) and "errors" in response.json(), url
    assert client.get("/api/v1/events/").status_code == 200  # the feed is as public as the catalog
    bad = api(mesh.owner, "post", "/api/v1/inbox/read/", [1, 2])
    assert bad.status_code == 400 and bad.json()["errors"]
    client.force_login(mesh.owner)
    assert client.post("/follow/dataset/abc/").status_code == 400
