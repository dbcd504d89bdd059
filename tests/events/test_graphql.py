"""GraphQL of events: feed, inbox, follow, preferences, webhooks — typed errors, bounded queries."""

import json

import pytest

from apps.catalog import actions
from apps.catalog.testing import make_mesh
from apps.core.testing import SYSTEM

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def gql(client):
    def run(user, query, **variables):
        client.force_login(user)
        response = client.post(
            "/graphql", json.dumps({"query": query, "variables": variables}), content_type="application/json"
        )
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    return run


def test_follow_inbox_and_read_through_graphql(gql, django_assert_max_num_queries, client):
    mesh = make_mesh()
    data = gql(mesh.consumer, 'mutation { follow(kind: "product", key: "orders") { following errors { code } } }')
    assert data["follow"] == {"following": True, "errors": []}
    for i in range(3):
        actions.update_product(mesh.owner, mesh.orders, summary=f"v{i}")
    query = "{ unreadNotifications inbox(unread: true) { id reason event { type sequence summary } } }"
    gql(mesh.consumer, query)
    with django_assert_max_num_queries(8):
        data = gql(mesh.consumer, query)
    assert data["unreadNotifications"] == 3
    assert [n["reason"] for n in data["inbox"]] == ["you follow product orders"] * 3
    assert data["inbox"][0]["event"]["type"] == "mesh.product.updated"
    marked = gql(mesh.consumer, "mutation { markNotificationsRead(all: true) { marked errors { code } } }")
    assert marked["markNotificationsRead"]["marked"] == 3
    feed = gql(mesh.consumer, 'query($a: Int) { events(after: $a, type: "mesh.product.") { sequence type } }', a=0)
    assert [e["type"] for e in feed["events"]].count("mesh.product.updated") == 3


def test_graphql_errors_are_typed(gql):
    mesh = make_mesh()
    bad = gql(
        mesh.consumer,
        'mutation { setNotificationPreference(eventType: "mesh.nope.x", inApp: true, email: "off") { ok errors { field code } } }',
    )
    assert bad["setNotificationPreference"]["errors"] == [{"field": "event_type", "code": "unknown_event_type"}]
    denied = gql(
        mesh.consumer,
        'mutation { createWebhookSubscription(url: "https://93.184.215.14/", product: "orders") { secret errors { code } } }',
    )
    assert denied["createWebhookSubscription"] == {"secret": None, "errors": [{"code": "permission_denied"}]}
    made = gql(
        mesh.owner,
        'mutation { createWebhookSubscription(url: "https://93.184.215.14/", product: "orders") { secret subscription { id url deadLetters } errors { code } } }',
    )["createWebhookSubscription"]
    assert made["secret"].startswith("whsec_") and made["subscription"]["deadLetters"] == 0
    listed = gql(mesh.owner, "{ webhookSubscriptions { id url } }")
    assert listed["webhookSubscriptions"] == [{"id": made["subscription"]["id"], "url": "https://93.184.215.14/"}]
    assert gql(mesh.consumer, "{ webhookSubscriptions { id } }")["webhookSubscriptions"] == []
    _ = SYSTEM
