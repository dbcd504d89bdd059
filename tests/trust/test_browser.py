"""The trust pages in a real Chromium: score panel, dimension chart, incident flow, leaderboard, roll-up."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scored_mesh(demo_mesh):
    from apps.catalog.models import QualityCheck, QualityResult
    from apps.trust.scoring import recompute

    now = timezone.now()
    for key, check_type, category, statuses in (
        ("not_null_amount", "not_null", "completeness", ["pass", "fail", "pass", "fail", "pass"]),
        ("unique_order_id", "unique", "uniqueness", ["pass"] * 5),
    ):
        check = QualityCheck.objects.create(
            dataset=demo_mesh.orders_ds, key=key, name=key, check_type=check_type, category=category
        )
        for i, status in enumerate(statuses):
            QualityResult.objects.create(
                quality_check=check, status=status, observed_at=now - timedelta(days=4 - i), run_key=uuid.uuid4().hex
            )
    recompute()
    return demo_mesh


def test_score_panel_explains_the_score_and_the_dimension_chart_draws(page, scored_mesh):
    login(page, "olivia")
    page.goto("/products/orders/")
    badge = page.locator("#product-details .maturity-badge")
    expect(badge).to_contain_text("Level")
    badge.click()
    page.wait_for_url("**/trust/products/orders/")
    expect(page.get_by_role("heading", name="Trust at a glance: Orders")).to_be_visible()
    expect(page.locator("#next-actions li")).to_have_count(3)
    # A failing criterion shows its evidence as links and how to fix it.
    described = page.locator('[data-criterion="columns_described"]')
    expect(described).to_contain_text("✗ failed")
    expect(described.get_by_role("link", name="wh.sales.orders.amount has no description")).to_be_visible()
    expect(described).to_contain_text("How to fix:")
    expect(page.locator('[data-criterion="has_owners"]')).to_contain_text("✓ passed")
    # Quality by dimension: rates and one line per dimension with results.
    expect(page.locator('tr[data-dimension="completeness"]')).to_contain_text("60%")
    expect(page.locator("#dimension-chart .series")).to_have_count(2)
    expect(page.locator("tr.flaky")).to_contain_text("not_null_amount")
    screenshot(page, "trust-product")
    assert page.errors == []


def test_incident_flow_from_opening_to_resolution(page, scored_mesh):
    login(page, "olivia")
    page.goto("/trust/products/orders/")
    page.get_by_label("Title").fill("Totals double-counted since 02:00")
    page.get_by_label("Severity").select_option("critical")
    page.get_by_label("What consumers should know").fill("Do not use yesterday's totals.")
    page.get_by_role("button", name="Open incident").click()
    page.wait_for_url("**/trust/incidents/*/")
    expect(page.locator(".incident-state")).to_have_text("Open")
    expect(page.locator(".timeline")).to_contain_text("Do not use yesterday's totals.")
    # The product header and the downstream product's header say so.
    page.goto("/products/orders/")
    expect(page.locator("#product-details .incident-flag")).to_have_text("1 open incident")
    page.goto("/products/leads/")
    expect(page.locator("#product-details .incident-upstream")).to_contain_text("Orders: Totals double-counted")
    # The score reflects it (recomputed after commit).
    page.goto("/trust/products/orders/")
    expect(page.locator('[data-criterion="no_open_incidents"]')).to_contain_text("✗ failed")
    page.locator(".incident-list a").first.click()
    page.get_by_label("Note").fill("Fixed the join; backfilled.")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator(".incident-state")).to_have_text("Resolved")
    expect(page.locator(".timeline li")).to_have_count(2)
    page.goto("/products/orders/")
    expect(page.locator("#product-details .maturity-badge")).to_be_visible()
    expect(page.locator("#product-details .incident-flag")).to_have_count(0)
    assert page.errors == []


def test_a_consumer_cannot_open_incidents(page, scored_mesh):
    login(page, "casey")
    page.goto("/trust/products/orders/")
    expect(page.get_by_role("heading", name="Incidents")).to_be_visible()
    expect(page.get_by_role("button", name="Open incident")).to_have_count(0)


def test_leaderboard_and_domain_rollup(page, scored_mesh):
    from apps.trust.models import ProductMaturity

    login(page, "casey")
    page.goto("/trust/maturity/")
    expect(page.get_by_role("heading", name="Maturity across the mesh")).to_be_visible()
    rows = page.locator("table.leaderboard tbody tr")
    expect(rows).to_have_count(2)
    best = ProductMaturity.objects.order_by("-score").select_related("product").first()
    expect(rows.first).to_have_attribute("data-product", best.product.slug)
    expect(page.locator(".distribution .dist-row")).to_have_count(5)
    level = str(ProductMaturity.objects.get(product__slug="leads").level)
    page.get_by_label("Level", exact=True).select_option(level)
    page.get_by_label("Domain", exact=True).select_option("marketing")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-product", "leads")
    page.goto("/trust/maturity/")
    page.locator("table.domain-rollup").get_by_role("link", name="Sales").click()
    page.wait_for_url("**/trust/domains/sales/")
    expect(page.get_by_role("heading", name="Maturity of Sales")).to_be_visible()
    expect(page.locator("table.leaderboard tbody tr")).to_have_count(1)  # orders, in emea under sales
    orders = ProductMaturity.objects.get(product__slug="orders")
    expect(page.locator(".rollup-mean")).to_have_text(f"{orders.score:.1f}")
    screenshot(page, "trust-domain")
    assert page.errors == []
