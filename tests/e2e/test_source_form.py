"""The add-source form per kind, in a real browser: fields instead of JSON from memory."""

import json

import pytest
from playwright.sync_api import expect

from apps.core.testing import make_user
from apps.harvest.models import Source
from tests.duckdb_warehouse import build_warehouse
from tests.e2e.conftest import SCREENSHOTS, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_postgres_dsn_builder_writes_a_config_the_harvester_accepts(page):
    make_user("root", superuser=True)
    login(page, "root")
    page.goto("/sources/new/")
    page.get_by_label("Kind").select_option("postgres")
    page.get_by_label("Host").fill("db.internal")
    page.get_by_label("Port").fill("5433")
    page.get_by_label("Database").fill("analytics")
    page.get_by_label("User").fill("harvester")
    page.get_by_label("Schemas to include").fill("sales, mkt_*")
    config = json.loads(page.get_by_label("Configuration (JSON)").input_value())
    assert config == {"dsn": "postgresql://harvester@db.internal:5433/analytics", "include_schemas": ["sales", "mkt_*"]}
    page.screenshot(path=str(SCREENSHOTS / "source_form_postgres.png"), full_page=True)


def test_a_duckdb_source_is_added_from_its_fields_without_unknown_key_errors(page, tmp_path):
    make_user("root", superuser=True)
    path = build_warehouse(tmp_path / "shop.duckdb")
    login(page, "root")
    page.goto("/sources/new/")
    page.get_by_label("Name", exact=True).fill("shop-duckdb")
    page.get_by_label("Kind").select_option("duckdb")
    page.get_by_label("DuckDB file (required)").fill(str(path))
    page.get_by_label("Schemas to exclude").fill("secret")
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#draft-check")).to_contain_text("read-only")
    page.get_by_role("button", name="Add source").click()
    page.wait_for_url("**/sources/shop-duckdb/")
    source = Source.objects.get(name="shop-duckdb")
    assert source.kind == "duckdb" and source.config["path"] == str(path)
    assert source.config["exclude_schemas"] == ["secret"]
