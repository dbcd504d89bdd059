"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

The ``browser`` and ``page`` fixtures live in tests/conftest.py (one Chromium per suite).
"""

from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture
def demo_mesh(transactional_db):
    """The permission-matrix mesh with datasets, ports and lineage, indexed for search."""
    from apps.catalog.testing import make_mesh
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
