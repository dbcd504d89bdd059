"""The events pages in a real browser: Follow button, the bell, the inbox, webhook subscriptions."""

import re

import pytest
from playwright.sync_api import expect

from apps.catalog import actions
from apps.catalog.testing import make_mesh
from apps.core.testing import SYSTEM
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mesh(transactional_db):
    from django.core.cache import cache

    cache.clear()
    m = make_mesh()
    m.out = actions.create_port(SYSTEM, m.orders, name="orders-tables", direction="output")
    return m


def test_follow_then_the_bell_counts_and_the_inbox_marks_read(page, mesh):
    login(page, "casey")
    page.goto("/products/orders/")
    follow = page.get_by_role("button", name="Follow")
    expect(follow).to_have_attribute("aria-pressed", "false")
    follow.click()
    expect(page.get_by_role("button", name="Following ✓")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-testid=unread-count]")).to_have_count(0)

    actions.update_product(mesh.owner, mesh.orders, summary="Every order, daily")
    actions.update_product(mesh.owner, mesh.orders, lifecycle="deprecated")
    page.reload()
    expect(page.locator("[data-testid=unread-count]")).to_have_text("2")
    expect(page.get_by_role("button", name="Following ✓")).to_be_visible()  # the follow survived the reload
    page.locator("#inbox-bell").click()
    page.wait_for_url("**/inbox/")
    items = page.locator(".inbox-item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Orders moved from published to deprecated")
    expect(items.first).to_contain_text("Why: you follow product orders")
    screenshot(page, "inbox")
    items.first.get_by_role("button", name="Mark read").click()
    expect(page.locator("[data-testid=unread-count]")).to_have_text("1")  # htmx swapped the bell
    expect(page.locator(".inbox-item.unread")).to_have_count(1)
    page.get_by_role("checkbox", name="Unread only").check()
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"unread=1"))
    expect(page.locator(".inbox-item")).to_have_count(1)
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator("[data-testid=unread-count]")).to_have_count(0)
    assert not page.errors, page.errors


def test_owner_sees_pending_access_requests_in_the_inbox(page, mesh):
    from apps.governance import actions as access

    access.request_access(mesh.consumer, mesh.out, reason="churn analysis for the quarter")
    login(page, "olivia")
    page.goto("/inbox/")
    expect(page.get_by_role("heading", name=re.compile("Access requests waiting for you"))).to_be_visible()
    page.get_by_role("link", name="Decide on them").click()
    page.wait_for_url("**/access/pending/")
    expect(page.locator("blockquote")).to_have_text("churn analysis for the quarter")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("casey: approved")
    assert not page.errors, page.errors


def test_owner_creates_a_webhook_sees_the_secret_once_and_the_delivery_log(page, mesh, settings):
    from tests.events.receiver import Receiver

    settings.MESH_WEBHOOK_ALLOW_PRIVATE = True
    receiver = Receiver().start()
    try:
        login(page, "olivia")
        page.goto("/webhooks/")
        page.get_by_label("Receiver URL").fill("http://10.0.0.1/x")
        page.get_by_label("Product (slug)").fill("orders")
        settings.MESH_WEBHOOK_ALLOW_PRIVATE = False
        page.get_by_role("button", name="Create subscription").click()
        expect(page.get_by_role("alert")).to_contain_text("loopback, private or link-local")
        settings.MESH_WEBHOOK_ALLOW_PRIVATE = True
        page.get_by_label("Receiver URL").fill(receiver.url)
        page.get_by_label("mesh.product.updated").check()
        page.get_by_role("button", name="Create subscription").click()
        secret = page.locator("[data-testid=new-secret] code").inner_text()
        assert secret.startswith("whsec_")
        receiver.secrets = [secret]
        actions.update_product(mesh.owner, mesh.orders, summary="hello hooks")
        page.goto("/webhooks/")
        expect(page.locator("body")).not_to_contain_text(secret)  # shown once
        page.get_by_role("link", name=receiver.url).click()
        row = page.locator("#deliveries tbody tr").first
        expect(row).to_have_attribute("data-status", "succeeded")
        expect(row).to_contain_text("204")
        screenshot(page, "webhook_detail")
        row.get_by_role("button", name="Redeliver").click()
        expect(page.locator("#deliveries tbody tr").first).to_contain_text("Delivered")
        assert len(receiver.ids()) == 2 and len(set(receiver.ids())) == 1
        assert all(r["verified"] for r in receiver.received)
        page.get_by_role("button", name="Rotate secret").click()
        expect(page.locator("[data-testid=new-secret] code")).to_contain_text("whsec_")
    finally:
        receiver.stop()
    assert not page.errors, page.errors
