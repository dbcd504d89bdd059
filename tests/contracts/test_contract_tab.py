"""The Contract section of the product page and the violation badge, in a real Chromium."""

import pytest

from apps.catalog import actions as catalog_actions
from apps.catalog.models import Dataset
from apps.catalog.testing import make_mesh
from apps.contracts import actions
from apps.core.testing import SYSTEM
from apps.harvest import actions as harvest_actions
from tests.contracts.conftest import contract_yaml, harvest
from tests.e2e.conftest import login
from tests.harvest.pg_source import execute

pytestmark = pytest.mark.e2e


def test_contract_tab_shows_clauses_history_versions_and_a_violation_badge(page, shop):
    mesh = make_mesh()
    source = harvest_actions.create_source(SYSTEM, name="shop", kind="postgres", config={"dsn": shop[0]})
    harvest(source)
    customers = Dataset.objects.get(short_name="customers")
    port = catalog_actions.create_port(SYSTEM, mesh.orders, name="customers", direction="output", datasets=[customers])
    actions.submit_contract(mesh.owner, contract_yaml(customers), port=port, via="test")
    harvest(source)
    execute(shop[1], "alter table sales.customers drop column name cascade")
    harvest(source)

    login(page, "casey")
    page.goto("/products/orders/")
    badge = page.locator(".product-header .badge.status-fail", has_text="contract violated")
    badge.wait_for()
    page.locator("nav.section-nav a[href='#contract']").click()
    section = page.locator("#contract-body article.contract")
    section.wait_for()
    assert "violated" in section.locator("h3 .verdict").inner_text()
    row = section.locator("tr.clause", has_text="customers.name")
    assert "violated" in row.inner_text() and "No such column" in row.inner_text()
    assert "met" in section.locator("tr.clause", has_text="customers.id").inner_text()
    history = section.locator(".check-history li")
    assert history.count() == 2 and "violated" in history.first.inner_text()
    assert "1.0.0" in section.locator(".contract-versions").inner_text()
    assert "Detected by a harvest" in section.locator(".impact-report").first.inner_text()
    page.goto("/search/?q=orders")
    hit = page.locator("li.hit-product", has_text="Orders").first
    assert "contract violated" in hit.inner_text()
    assert page.errors == []
