"""Webhooks in-process: signed per Standard Webhooks, checked targets, retries, 410, redeliver."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.catalog import actions
from apps.catalog.testing import make_mesh
from apps.core.errors import ActionError, PermissionDeniedError
from apps.events import actions as events
from apps.events.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from apps.events.webhooks.deliver import deliver
from tests.events.receiver import Receiver, free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def allow_local(settings):
    settings.MESH_WEBHOOK_ALLOW_PRIVATE = True
    settings.MESH_WEBHOOK_TIMEOUT_SECONDS = 2


@pytest.fixture
def mesh():
    return make_mesh()


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


def subscribe(mesh, receiver, **kwargs):
    sub, secret = events.create_subscription(mesh.admin, url=receiver.url, **kwargs)
    receiver.secrets = [secret]
    return sub, secret


def test_delivery_is_signed_as_standard_webhooks_and_logged(mesh, receiver):
    sub, secret = subscribe(mesh, receiver, event_types=["mesh.product.updated"])
    assert secret.startswith("whsec_") and secret not in sub.secret_encrypted
    actions.update_product(mesh.owner, mesh.orders, summary="All orders")
    actions.update_product(mesh.owner, mesh.orders, lifecycle="deprecated")  # filtered out by type
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got["verified"], got["headers"]
    assert got["body"]["type"] == "mesh.product.updated" and got["body"]["specversion"] == "1.0"
    assert got["cloudevent"].get_type() == "mesh.product.updated"  # valid for the CloudEvents SDK
    assert got["cloudevent"].get_data()["changes"]["summary"]["after"] == "All orders"
    assert got["headers"]["webhook-signature"].startswith("v1,")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.webhook_id == got["id"]
    assert delivery.webhook_id == f"msg_{delivery.event.uid.hex}_{sub.pk}"
    attempt = WebhookAttempt.objects.get()
    assert (attempt.number, attempt.status_code) == (1, 204)


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://127.0.0.1:9/hook", "loopback, private or link-local"),
        ("http://10.1.2.3/hook", "loopback, private or link-local"),
        ("http://169.254.169.254/latest/meta-data", "loopback, private or link-local"),
        ("http://[::1]:8080/", "loopback, private or link-local"),
        ("http://localhost/", "loopback, private or link-local"),
        ("ftp://example.com/x", "must start with https://"),
        ("not a url", "must start with https://"),
        ("https:///nohost", "no host"),
        ("http://example.com:99999/", "port"),
        ("https://user:pw@example.com/", "no credentials"),
        ("https://does-not-exist.invalid/", "does not resolve"),
    ],
)
def test_unsafe_or_malformed_urls_are_refused(mesh, settings, url, message):
    settings.MESH_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(ActionError, match=message) as exc:
        events.create_subscription(mesh.admin, url=url)
    assert exc.value.errors[0][0] == "url"


def test_subscriptions_are_for_admins_or_owners_of_their_scope(mesh, receiver):
    with pytest.raises(PermissionDeniedError):
        events.create_subscription(mesh.consumer, url=receiver.url, product=mesh.orders)
    with pytest.raises(PermissionDeniedError):
        events.create_subscription(mesh.owner, url=receiver.url)  # everything: admins only
    with pytest.raises(ActionError, match="Unknown event type"):
        events.create_subscription(mesh.owner, url=receiver.url, product=mesh.orders, event_types=["mesh.x.y"])
    sub, _ = events.create_subscription(mesh.owner, url=receiver.url, product=mesh.orders)
    receiver.secrets = [events.rotate_secret(mesh.owner, sub)]
    actions.update_product(mesh.other_owner, mesh.leads, summary="not for this hook")
    actions.update_product(mesh.owner, mesh.orders, summary="for this hook")
    assert [r["body"]["subject"] for r in receiver.received] == ["product/orders"]


def test_rotation_signs_with_both_secrets(mesh, receiver):
    sub, old = subscribe(mesh, receiver)
    new = events.rotate_secret(mesh.admin, sub)
    receiver.secrets = [old]
    actions.update_product(mesh.owner, mesh.orders, summary="one")
    receiver.secrets = [new]
    actions.update_product(mesh.owner, mesh.orders, summary="two")
    assert [r["verified"] for r in receiver.received] == [True, True]
    assert len(receiver.received[1]["headers"]["webhook-signature"].split(" ")) == 2


def _failed_delivery(mesh, receiver):
    subscribe(mesh, receiver, event_types=["mesh.product.updated"])
    actions.update_product(mesh.owner, mesh.orders, summary="x")
    return WebhookDelivery.objects.get()


def test_a_500_is_retried_on_the_spec_schedule_with_jitter(mesh, receiver):
    receiver.mode = "500"
    d = _failed_delivery(mesh, receiver)
    assert d.status == DeliveryStatus.RETRYING and d.last_status_code == 500 and d.attempts == 1
    wait = (d.next_attempt_at - timezone.now()).total_seconds()
    assert 4.0 <= wait <= 5.6
    assert deliver(d.pk) == "skipped"  # not due yet: nothing sent twice
    WebhookDelivery.objects.filter(pk=d.pk).update(next_attempt_at=timezone.now())
    receiver.mode = "ok"
    assert deliver(d.pk) == DeliveryStatus.SUCCEEDED
    assert len(set(receiver.ids())) == 1 and len(receiver.ids()) == 2  # same webhook-id both times


def test_retry_after_is_honoured(mesh, receiver):
    receiver.mode = "retry_after"
    d = _failed_delivery(mesh, receiver)
    assert (d.next_attempt_at - timezone.now()).total_seconds() >= 119


def test_410_disables_the_subscription(mesh, receiver):
    receiver.mode = "410"
    d = _failed_delivery(mesh, receiver)
    d.subscription.refresh_from_db()
    assert d.status == DeliveryStatus.DEAD and not d.subscription.enabled
    assert "410" in d.subscription.disabled_reason
    actions.update_product(mesh.owner, mesh.orders, summary="after 410")
    assert len(receiver.received) == 1 and WebhookDelivery.objects.count() == 1


def test_redirects_are_not_followed(mesh, receiver):
    receiver.mode = "redirect"
    d = _failed_delivery(mesh, receiver)
    assert d.status == DeliveryStatus.RETRYING and "redirects are not followed" in d.last_error
    assert [r["path"] for r in receiver.received] == ["/hook"]


def test_slow_receiver_times_out(mesh, settings):
    settings.MESH_WEBHOOK_TIMEOUT_SECONDS = 0.5
    slow = Receiver(mode="slow", delay=3).start()
    try:
        d = _failed_delivery(mesh, slow)
    finally:
        slow.stop()
    assert d.status == DeliveryStatus.RETRYING and "No answer within 0.5 s" in d.last_error
    assert WebhookAttempt.objects.get().duration_ms < 2500


def test_unreachable_receiver_then_dead_letter_then_redeliver(mesh, settings):
    settings.MESH_WEBHOOK_RETRY_SCHEDULE = [0, 0]
    down = Receiver(port=free_port())  # never started: connection refused
    d = _failed_delivery(mesh, down)
    assert "Could not connect" in d.last_error
    for _ in range(2):
        deliver(d.pk)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.DEAD and d.attempts == 3
    down.start()
    try:
        events.redeliver(mesh.admin, d)
        d.refresh_from_db()
        assert d.status == DeliveryStatus.SUCCEEDED
        assert down.ids() == [d.webhook_id] and down.received[0]["verified"]
    finally:
        down.stop()
    assert list(d.attempt_log.order_by("id").values_list("number", flat=True)) == [1, 2, 3, 1]


def test_a_delivery_leased_by_a_live_worker_is_not_sent_again(mesh, receiver):
    receiver.mode = "500"
    d = _failed_delivery(mesh, receiver)
    WebhookDelivery.objects.filter(pk=d.pk).update(
        status=DeliveryStatus.DELIVERING, locked_until=timezone.now() + timedelta(seconds=30)
    )
    assert deliver(d.pk) == "skipped"
    WebhookDelivery.objects.filter(pk=d.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    receiver.mode = "ok"
    assert deliver(d.pk) == DeliveryStatus.SUCCEEDED
