"""Server-rendered pages of the events app (the browser tests are in tests/e2e)."""

import pytest
from django.urls import reverse

from apps.catalog import actions
from apps.catalog.testing import make_mesh
from apps.core.testing import SYSTEM
from apps.governance import actions as access

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mesh():
    m = make_mesh()
    m.out = actions.create_port(SYSTEM, m.orders, name="orders-tables", direction="output")
    return m


def test_pending_access_requests_page_lists_requests_for_owners_only(client, mesh):
    access.request_access(mesh.consumer, mesh.out, reason="quarterly revenue report")
    client.force_login(mesh.owner)
    html = client.get("/access/pending/").content.decode()
    assert "quarterly revenue report" in html and "Approve" in html
    client.force_login(mesh.consumer)
    assert "quarterly revenue report" not in client.get("/access/pending/").content.decode()


def test_inbox_filters_and_mark_all_read(client, mesh, django_assert_max_num_queries):
    access.request_access(mesh.consumer, mesh.out, reason="quarterly revenue report")
    actions.update_product(mesh.domain_owner, mesh.orders, summary="new summary")
    client.force_login(mesh.owner)
    from apps.events.models import Notification

    unread = Notification.objects.filter(user=mesh.owner, read_at__isnull=True).count()
    assert unread == 4  # port created, role given, access requested, product updated
    html = client.get(reverse("events:inbox")).content.decode()
    assert 'id="inbox-bell"' in html and "Access requests waiting for you" in html
    assert f'data-testid="unread-count">{unread}<' in client.get(reverse("events:bell")).content.decode()
    assert "you own orders" in html
    only_access = client.get(reverse("events:inbox") + "?type=mesh.access.").content.decode()
    assert "requested access" in only_access and "changed summary" not in only_access
    with django_assert_max_num_queries(12):
        client.get(reverse("events:inbox") + "?unread=1&reason=owner")
    client.post(reverse("events:inbox_read"), {"all": "1"})
    assert 'data-testid="unread-count"' not in client.get(reverse("events:bell")).content.decode()


def test_preference_for_unknown_type_is_a_clear_422(client, mesh):
    client.force_login(mesh.owner)
    response = client.post(reverse("events:preferences"), {"event_type": "mesh.bogus.type", "email": "off"})
    assert response.status_code == 422 and "Unknown event type" in response.content.decode()


def test_webhook_secret_is_shown_once(client, mesh, settings):
    settings.MESH_WEBHOOK_ALLOW_PRIVATE = True
    client.force_login(mesh.owner)
    response = client.post(reverse("events:webhooks"), {"url": "http://127.0.0.1:9/x", "product": "orders"})
    assert response.status_code == 201
    html = response.content.decode()
    secret = html.split('<code class="token">')[1].split("<")[0]
    assert secret.startswith("whsec_")
    assert secret not in client.get(reverse("events:webhooks")).content.decode()
    from apps.events.models import WebhookSubscription

    detail = client.get(reverse("events:webhook_detail", args=[WebhookSubscription.objects.get().pk]))
    assert detail.status_code == 200 and secret not in detail.content.decode()
    client.force_login(mesh.consumer)
    assert client.get(reverse("events:webhook_detail", args=[WebhookSubscription.objects.get().pk])).status_code == 404
