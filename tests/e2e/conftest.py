"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from
a thread with a running loop unless told that this is deliberate.
"""
import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); .ci/run does it.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    # Depending on transactional_db makes the browser close before the database is flushed,
    # so that no request still in flight holds a lock the flush waits for.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(f"{exc} {exc.stack or ''}"))
    yield page
    try:
        page.wait_for_load_state("networkidle", timeout=5_000)
    finally:
        context.close()


@pytest.fixture
def demo_mesh(transactional_db):
    """The permission-matrix mesh with datasets, ports and lineage, indexed for search."""
    from apps.core.testing import make_mesh
    from apps.search.indexer import rebuild
    from tests.web.conftest import add_catalog

    mesh = add_catalog(make_mesh())
    rebuild()
    return mesh


def login(page, username: str, password: str = "pw-for-tests") -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # sticky bars belong at the top of a full-page shot
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
