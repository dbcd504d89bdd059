"""The journeys of the people who use the catalog, in a real browser."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_newcomer_searches_filters_opens_a_product_and_follows_lineage_to_a_dataset(page, demo_mesh):
    login(page, "casey")
    screenshot(page, "home")
    box = page.locator("#homeq")
    box.fill("orders")
    expect(page.locator("#homeq-suggest a").first).to_be_visible()  # suggestions while typing
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=orders"))
    expect(page.locator(".hit")).not_to_have_count(0)
    screenshot(page, "search")
    page.evaluate("window.__sameDocument = true")  # survives only if the page is never reloaded
    page.locator('a[data-facet="type"][data-value="product"]').click()
    page.wait_for_url(re.compile(r"type=product"))
    expect(page.locator('a[data-facet="type"][data-value="product"][aria-current="true"]')).to_be_visible()
    expect(page.locator(".hit-dataset")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True
    page.go_back()  # the back button undoes the filter
    expect(page).to_have_url(re.compile(r"/search/\?q=orders$"))
    expect(page.locator(".hit-dataset").first).to_be_visible()
    page.go_forward()
    expect(page.locator(".hit-dataset")).to_have_count(0)
    page.locator(".hit-title", has_text="Orders").first.click()
    page.wait_for_url("**/products/orders/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Orders")
    expect(page.locator("#schema-body")).to_contain_text("wh.sales.orders")
    page.locator("#lineage").scroll_into_view_if_needed()
    expect(page.locator("#lineage-body svg")).to_be_visible()
    screenshot(page, "product")
    page.locator(".port-output a", has_text="wh.sales.orders").click()
    page.wait_for_url(re.compile(r"/datasets/\d+/"))
    screenshot(page, "dataset")
    page.get_by_role("link", name="open the graph").click()
    page.wait_for_url(re.compile(r"/lineage/\?focus=d"))
    expect(page.locator(".lineage-svg .node")).to_have_count(3)
    screenshot(page, "lineage")
    # Start from the raw table: one hop shows its consumer; "+" on it draws the next hop in place.
    page.goto(f"/lineage/?focus=d{demo_mesh.raw.pk}")
    expect(page.locator(".lineage-svg .node")).to_have_count(2)
    page.evaluate("window.__sameDocument = true")
    page.locator(".lineage-svg .node", has_text="wh.sales.orders").locator("a.node-expand").click()
    expect(page.locator(".lineage-svg .node")).to_have_count(3)
    expect(page).to_have_url(re.compile(r"expand=d\d+"))
    assert page.evaluate("window.__sameDocument") is True
    page.get_by_label("Highlight a column's lineage").select_option(label="amount")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".lineage-svg .node.hl")).to_have_count(3)  # raw.amount → orders.amount → revenue.revenue
    screenshot(page, "lineage-column")
    page.goto(f"/lineage/?focus=d{demo_mesh.orders_ds.pk}")
    page.locator(".lineage-svg .node", has_text="wh.raw.orders").locator("a.node-link").click()
    page.wait_for_url(f"**/datasets/{demo_mesh.raw.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("wh.raw.orders")
    assert page.errors == []


def test_owner_edits_description_and_ports_and_sees_it_in_history(page, demo_mesh):
    login(page, "olivia")
    page.goto("/products/orders/")
    page.get_by_role("button", name="Edit description").click()
    editor = page.get_by_label("Description (Markdown)")
    editor.fill("## Grain\n\nOne row per **order**.")
    expect(page.locator("#description-preview strong")).to_have_text("order")  # live preview
    screenshot(page, "edit-description")
    page.get_by_role("button", name="Save description").click()
    expect(page.locator("#product-description h4")).to_have_text("Grain")

    page.get_by_role("button", name="Add output port").click()
    page.get_by_label("Name", exact=True).fill("revenue-daily")
    # (wh.finance.revenue is published by Leads, so Orders publishes its own upstream table.)
    page.get_by_label("Find a dataset to link").fill("wh.raw")
    page.locator(".pick", has_text="wh.raw.orders").click()
    expect(page.locator(".chip", has_text="wh.raw.orders")).to_be_visible()
    screenshot(page, "edit-port")
    page.get_by_role("button", name="Add port").click()
    port = page.locator("article.port", has_text="revenue-daily")
    expect(port).to_contain_text("wh.raw.orders")

    page.get_by_role("link", name="all changes, past versions and diffs").click()
    expect(page.locator("table.history")).to_contain_text("revenue-daily")
    expect(page.locator("table.history")).to_contain_text("olivia")
    screenshot(page, "history")
    page.get_by_role("link", name="view this version").first.click()
    expect(page.locator(".prose h4")).to_have_text("Grain")
    assert page.errors == []


def test_consumer_sees_no_edit_controls_and_a_forged_post_is_refused(page, demo_mesh):
    login(page, "casey")
    page.goto("/products/orders/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Orders")
    for control in ("Edit details", "Edit description", "Add output port", "Add input port"):
        expect(page.get_by_role("button", name=control)).to_have_count(0)
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        "/products/orders/edit/description/",
        form={"revision": "1", "description": "forged"},
        headers={"X-CSRFToken": csrf, "HX-Request": "true", "Referer": page.url},
    )
    assert response.status == 403
    page.reload()
    expect(page.locator("#product-description")).not_to_contain_text("forged")


def test_markdown_xss_attempt_is_neutralised(page, demo_mesh):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    login(page, "olivia")
    page.goto("/products/orders/")
    page.get_by_role("button", name="Edit description").click()
    page.get_by_label("Description (Markdown)").fill(
        '<script>alert("xss")</script>\n\n[click me](javascript:alert(1))\n\n<img src=x onerror="alert(2)">\n\n<a href="javascript:alert(3)">raw</a>'
    )
    page.wait_for_timeout(600)  # the live preview renders the payload too
    page.get_by_role("button", name="Save description").click()
    expect(page.locator("#product-description")).to_contain_text("click me")
    page.reload()
    description = page.locator("#product-description")
    expect(description).to_contain_text("click me")
    assert description.locator("script").count() == 0
    assert description.locator("img").count() == 0
    assert description.locator('a[href^="javascript"]').count() == 0
    page.get_by_text("click me").click()
    assert dialogs == []


def test_admin_adds_a_source_tests_it_harvests_and_reads_the_report(page, demo_mesh):
    from tests.web.test_sources_pages import SOURCE_DB, ensure_source_database

    ensure_source_database()
    login(page, "admin")
    page.goto("/sources/")
    expect(page.get_by_role("heading", name="Sources")).to_be_visible()
    page.get_by_role("link", name="Add a source").click()
    page.get_by_label("Name").fill("shop-db")
    page.get_by_label("Kind").select_option("postgres")
    page.get_by_label("Configuration (JSON)").fill("{not json")
    page.get_by_role("button", name="Add source").click()
    expect(page.locator(".errorlist")).to_contain_text("Not valid JSON")
    page.get_by_label("Configuration (JSON)").fill(json.dumps({"dsn": SOURCE_DB, "include_schemas": ["shop"]}))
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#draft-check")).to_contain_text("Connected")
    screenshot(page, "source-form")
    page.get_by_role("button", name="Add source").click()
    page.wait_for_url("**/sources/shop-db/")
    page.get_by_role("button", name="Harvest now").click()
    page.wait_for_url("**/runs/*/")
    expect(page.locator("#run-status .badge").first).to_have_text("Succeeded", timeout=30_000)
    expect(page.locator("#run-status")).to_contain_text("All counters")
    screenshot(page, "harvest-run")
    page.goto("/products/does-not-exist/")
    expect(page.get_by_role("heading", name="Nothing here")).to_be_visible()


def test_two_owners_editing_at_once_get_a_conflict_not_a_lost_update(page, browser, live_server, demo_mesh):
    other = browser.new_context(base_url=live_server.url).new_page()
    try:
        for who, p in (("olivia", page), ("dora", other)):
            login(p, who)
            p.goto("/products/orders/")
            p.get_by_role("button", name="Edit description").click()
            expect(p.get_by_label("Description (Markdown)")).to_be_visible()
        page.get_by_label("Description (Markdown)").fill("Olivia's version")
        page.get_by_role("button", name="Save description").click()
        expect(page.locator("#product-description")).to_contain_text("Olivia's version")
        other.get_by_label("Description (Markdown)").fill("Dora's version")
        other.get_by_role("button", name="Save description").click()
        alert = other.get_by_role("alert")
        expect(alert).to_contain_text("Someone else saved this product")
        expect(alert).to_contain_text("Olivia's version")
        expect(other.get_by_label("Description (Markdown)")).to_have_value("Dora's version")
        screenshot(other, "edit-conflict")
        other.get_by_role("button", name="Save description").click()  # a deliberate second save wins
        expect(other.locator("#product-description")).to_contain_text("Dora's version")
    finally:
        other.context.close()
