"""The run report in a real browser: a human summary first, and a warning when nothing was found."""

import pytest
from playwright.sync_api import expect

from apps.core.testing import SYSTEM, make_user
from apps.harvest import actions
from tests.duckdb_warehouse import build_warehouse
from tests.e2e.conftest import SCREENSHOTS, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_empty_harvest_warns_and_names_the_filter(page, tmp_path):
    make_user("root", superuser=True)
    path = build_warehouse(tmp_path / "shop.duckdb")
    source = actions.create_source(
        SYSTEM, name="shop", kind="duckdb", config={"path": str(path), "include_schemas": ["nope"]}
    )
    empty = actions.trigger_harvest(SYSTEM, source, run_async=False)
    assert empty.status == "succeeded" and empty.counts["records_datasets"] == 0
    login(page, "root")
    page.goto(f"/runs/{empty.pk}/")
    expect(page.get_by_role("alert")).to_contain_text("found no datasets")
    expect(page.get_by_role("alert")).to_contain_text("include_schemas")
    expect(page.get_by_text("No problems reported.")).to_have_count(0)
    expect(page.locator(".run-counters")).not_to_have_attribute("open", "")
    page.screenshot(path=str(SCREENSHOTS / "harvest_empty_run.png"), full_page=True)

    actions.update_source(SYSTEM, source, config={"path": str(path)})
    full = actions.trigger_harvest(SYSTEM, source, run_async=False)
    page.goto(f"/runs/{full.pk}/")
    expect(page.locator(".run-summary")).to_contain_text("Read 5 datasets: 5 added.")
    expect(page.get_by_text("No problems reported.")).to_be_visible()
    assert "records_datasets" not in page.locator(".run-counters").inner_text()
    page.goto(f"/sources/{source.name}/")
    expect(page.get_by_text("0 datasets")).to_be_visible()
