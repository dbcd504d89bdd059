"""Fixtures shared by every test package: one Chromium for the whole suite.

Browser tests live in tests/e2e and beside the features they check (GraphiQL). They must
share one session-scoped Playwright: a second ``sync_playwright()`` started while the first
runs fails ("Sync API inside the asyncio loop").

Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from
a thread with a running loop unless told that this is deliberate.
"""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); .ci/run does it.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
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
