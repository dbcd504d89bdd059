"""The five-minute path on the first command: `make run` with nothing but Python.

The catalog runs as ``make run`` runs it — SQLite catalog, in-process tasks, no PostgreSQL
or Redis, the demo warehouse built as a DuckDB file from the demo dbt project — in its own
processes; a real headless Chromium logs in, opens a product, runs a curated sample query
and sees rows, in at most five clicks. Screenshots go to ``artifacts/screenshots/``.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.embedded_server import embedded_env, manage, serve

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
MAX_CLICKS = 5


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("embedded")
    env = embedded_env(data_dir)
    manage(env, "migrate", "--noinput", "-v0")
    out = manage(env, "load_demo")
    assert "Harvested duckdb source" in out and "succeeded" in out, out
    assert (data_dir / "demo_warehouse.duckdb").exists()
    assert (data_dir / "catalog.sqlite3").stat().st_size != 0
    with serve(env) as base:
        yield base, data_dir


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_login_product_sample_query_rows_in_five_clicks_without_any_service(embedded, tab):
    base, _ = embedded
    page, clicks = tab, 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill("mesh-demo-consumer")
    page.get_by_role("button", name="Log in").click()
    clicks += 1
    page.wait_for_url(f"{base}/")
    page.screenshot(path=str(SCREENSHOTS / "embedded_path_01_home.png"))

    page.locator("main").get_by_role("link", name=re.compile(r"^Orders$")).first.click()
    clicks += 1
    page.wait_for_url("**/products/orders/")
    page.screenshot(path=str(SCREENSHOTS / "embedded_path_02_product.png"))

    page.get_by_text("Query orders-tables").click()
    clicks += 1
    run_button = page.get_by_role("button", name="Run Revenue per month")
    expect(run_button).to_be_visible()
    run_button.click()
    clicks += 1
    table = page.locator(".lab-table").first
    expect(table.locator("tbody tr").first).to_be_visible()
    elapsed = time.monotonic() - started
    table.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "embedded_path_03_rows.png"))

    headers = table.locator("thead th").all_inner_texts()
    rows = table.locator("tbody tr").count()
    print(f"\nembedded five-minute path: {clicks} clicks, {elapsed:.1f} s, {rows} rows, columns {headers}")
    assert headers == ["month", "orders", "revenue"] and rows >= 6
    assert clicks <= MAX_CLICKS
    expect(page.get_by_text("DuckDB CLI")).to_be_visible()


def test_refused_file_read_is_explained_in_the_lab(embedded, tab):
    base, _ = embedded
    page = tab
    page.goto(f"{base}/login/?next=/products/orders/")
    page.get_by_label("Username").fill("casey")
    page.get_by_label("Password").fill("mesh-demo-consumer")
    page.get_by_label("Password").press("Enter")
    page.wait_for_url("**/products/orders/")
    page.get_by_text("Query orders-tables").click()
    page.get_by_label("SQL", exact=True).fill("SELECT * FROM read_csv('/etc/passwd')")
    page.get_by_role("button", name="Run query").click()
    expect(page.locator(".lab-result")).to_contain_text("read_csv() is not allowed")


def test_the_demo_shows_its_own_404_page(embedded, tab):
    base, _ = embedded
    response = tab.goto(f"{base}/no-such-page/")
    assert response.status == 404
    expect(tab.get_by_role("heading", name="Nothing here")).to_be_visible()
    assert "URLconf" not in tab.content()
    tab.screenshot(path=str(SCREENSHOTS / "embedded_404.png"))
