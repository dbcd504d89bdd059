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


def _dataset_id(data_dir, name: str) -> int:
    import sqlite3

    with sqlite3.connect(data_dir / "catalog.sqlite3") as con:
        return con.execute("SELECT id FROM catalog_dataset WHERE name = ?", (name,)).fetchone()[0]


LAYOUT_PROBLEMS_JS = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width + 1) problems.push(`page ${document.documentElement.scrollWidth}px wide > ${width}px`);
  for (const el of document.querySelectorAll('main *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1 && !el.closest('.table-scroll, pre, .graph-scroll')) {
      problems.push(`${el.tagName.toLowerCase()}.${el.className} ends at ${Math.round(r.right)}px`);
      if (problems.length > 5) break;
    }
  }
  for (const code of document.querySelectorAll('.columns-table .col-name code')) {
    if (code.getClientRects().length > 1) problems.push(`column name broken: ${code.textContent}`);
  }
  for (const th of document.querySelectorAll('main th')) {
    const style = getComputedStyle(th);
    if (style.display !== 'none' && th.offsetParent !== null && th.getClientRects().length && th.scrollWidth > th.clientWidth + 1)
      problems.push(`header overflows: ${th.textContent}`);
    const words = th.textContent.trim().split(/\\s+/).length;
    const lines = Math.round(th.getBoundingClientRect().height / parseFloat(style.lineHeight || 16));
    if (th.offsetParent !== null && words === 1 && lines > 1 && th.getBoundingClientRect().height > 2 * parseFloat(style.fontSize) + 12)
      problems.push(`header broken mid-word: ${th.textContent}`);
  }
  return problems;
}"""


@pytest.mark.parametrize("width", [1280, 390])
def test_dataset_columns_stay_readable_and_render_markdown(embedded, browser, width):
    base, data_dir = embedded
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{base}/login/?next=/")
        page.get_by_label("Username").fill("casey")
        page.get_by_label("Password").fill("mesh-demo-consumer")
        page.get_by_label("Password").press("Enter")
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/datasets/{_dataset_id(data_dir, 'mesh_demo_warehouse.sales.orders')}/")
        status = page.locator("#col-status")
        expect(status.locator(".col-prose table")).to_be_visible()  # the Markdown table, not raw pipes
        assert "|---|" not in page.locator("#columns").inner_text()
        page.locator("#columns").screenshot(path=str(SCREENSHOTS / f"embedded_dataset_columns_{width}.png"))
        problems = page.evaluate(LAYOUT_PROBLEMS_JS)
        assert problems == [], problems
        name_box = status.locator(".col-name code").bounding_box()
        assert name_box["width"] > 40  # "status" on one line, not one character per line
    finally:
        context.close()


def test_an_anonymous_visitor_browses_and_the_header_search_suggests_real_hits(embedded, tab):
    base, _ = embedded
    tab.goto(f"{base}/")
    expect(tab.get_by_role("link", name="Browse")).to_be_visible()
    box = tab.locator("#topq")
    box.press_sequentially("orders", delay=30)
    suggestions = tab.locator("#topq-suggest")
    expect(suggestions.get_by_role("option").first).to_be_visible()
    assert "Password" not in suggestions.inner_text()  # never the login page pasted into the list
    tab.screenshot(path=str(SCREENSHOTS / "embedded_anonymous_suggest.png"))
    tab.goto(f"{base}/login/")
    expect(tab.get_by_text("browse the catalog")).to_be_visible()
    expect(tab.get_by_role("complementary", name="Demo accounts")).to_contain_text("mesh-demo-consumer")


@pytest.mark.parametrize("path", ["/api/redoc/", "/api/docs/", "/graphql"])
def test_api_docs_load_everything_from_the_server(embedded, tab, path):
    base, _ = embedded
    outside = []
    local = (base, "data:", f"blob:{base}")
    # A request the page's Content-Security-Policy blocks never leaves the browser.
    tab.on("requestfinished", lambda r: outside.append(r.url) if not r.url.startswith(local) else None)
    tab.on(
        "requestfailed",
        lambda r: (
            outside.append(r.url) if not r.url.startswith(local) and "csp" not in (r.failure or "").lower() else None
        ),
    )
    tab.goto(f"{base}/login/?next={path}")
    tab.get_by_label("Username").fill("casey")
    tab.get_by_label("Password").fill("mesh-demo-consumer")
    tab.get_by_label("Password").press("Enter")
    tab.wait_for_url(f"**{path}")
    tab.wait_for_load_state("networkidle")
    if path == "/api/redoc/":
        expect(tab.get_by_text("Mesh Catalog API").first).to_be_visible()
    tab.screenshot(path=str(SCREENSHOTS / f"embedded_docs_{path.strip('/').replace('/', '_')}.png"))
    assert outside == [], outside
