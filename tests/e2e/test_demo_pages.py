"""The main pages on the demo mesh: screenshots for people, accessibility checks for CI."""

import io

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

UNLABELLED_CONTROLS = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
  .filter(el => el.offsetParent !== null)
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')
                && !(el.tagName === 'BUTTON' && el.textContent.trim()) && !el.closest('label'))
  .map(el => el.outerHTML.slice(0, 120))"""


@pytest.fixture
def demo(transactional_db):
    from django.core.management import call_command

    from apps.search.indexer import rebuild

    call_command("load_demo", stdout=io.StringIO())
    rebuild()


def check_page(page, name: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.evaluate(UNLABELLED_CONTROLS) == [], f"{name}: controls without a label"
    assert page.locator("h1").count() >= 1, f"{name}: no h1"
    screenshot(page, name)


def test_main_pages_are_labelled_and_fit_a_split_screen(page, demo):
    login(page, "admin", "mesh-demo-admin")
    check_page(page, "demo-home")
    page.get_by_role("link", name="Sales", exact=True).first.click()
    expect(page.locator("#graph-section svg")).to_be_visible()
    check_page(page, "demo-domain")
    page.goto("/products/orders/")
    expect(page.locator("#schema-body details").first).to_be_visible()
    check_page(page, "demo-product")
    page.get_by_role("button", name="Edit details").click()
    expect(page.get_by_label("Summary")).to_be_visible()
    check_page(page, "demo-product-editing")
    page.goto("/sources/")
    check_page(page, "demo-sources")
    page.goto("/profile/")
    check_page(page, "demo-profile")
    # A laptop split screen: nothing overflows sideways.
    page.set_viewport_size({"width": 700, "height": 900})
    for url in ("/", "/products/orders/", "/search/?q=orders", "/domains/sales/"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} overflows by {overflow}px at 700px wide"
    screenshot(page, "demo-product-narrow")
    assert page.errors == []


def test_keyboard_reaches_search_suggestions_and_skip_link(page, demo):
    login(page, "casey", "mesh-demo-consumer")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    box = page.locator("#homeq")
    box.focus()
    page.keyboard.type("order")
    expect(page.locator("#homeq-suggest a").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#homeq-suggest a").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#homeq-suggest a")).to_have_count(0)
