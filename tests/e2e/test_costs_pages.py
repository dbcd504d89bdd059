"""The cost panels in a real browser: product page (owner sets a budget) and domain roll-up."""

import io
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.core.actors import SystemActor
from apps.costs.actions import import_costs
from apps.costs.samples import SampleLine, csv_text
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def billed_mesh(transactional_db):
    from apps.catalog.testing import make_mesh

    mesh = make_mesh()
    month = timezone.now().date().replace(day=1)
    previous = (month - timezone.timedelta(days=1)).replace(day=1)
    lines = [
        SampleLine("product", "orders", month, "Amazon S3", Decimal("1200.25"), "EUR"),
        SampleLine("product", "orders", previous, "AWS Glue", Decimal("800"), "EUR"),
        SampleLine("shared", "emea", month, "Amazon Athena", Decimal("99.75"), "EUR"),
    ]
    import_costs(
        SystemActor("tests"),
        io.BytesIO(csv_text(lines, "focus").encode()),
        fmt="focus",
        source_name="aws",
        file_name="bill.csv",
    )
    return mesh


def test_owner_sees_the_cost_panel_and_sets_a_budget(page, billed_mesh):
    login(page, "olivia")
    page.goto("/products/orders/")
    panel = page.get_by_test_id("cost-panel")
    panel.wait_for()
    assert page.get_by_test_id("cost-this-month").inner_text() == "1,300.00 EUR"  # 1200.25 + the shared 99.75
    assert panel.locator("svg rect.cost-bar").count() == 12
    assert "Amazon S3" in panel.inner_text()
    panel.get_by_label("Monthly budget").fill("1000")
    panel.get_by_role("button", name="Save budget").click()
    page.get_by_text("Budget saved.").wait_for()
    assert "budget 1,000.00 eur/month" in page.get_by_test_id("cost-panel").inner_text().lower()
    screenshot(page, "costs-product")
    assert not page.errors


def test_consumer_sees_the_domain_roll_up_but_no_budget_form(page, billed_mesh):
    login(page, "casey")
    page.goto("/products/orders/")
    page.get_by_test_id("cost-panel").wait_for()
    assert page.get_by_role("button", name="Save budget").count() == 0
    page.goto("/domains/sales/")
    panel = page.get_by_test_id("domain-cost-panel")
    panel.wait_for()
    assert "2,100.00 EUR" in panel.inner_text()  # last 12 months across the subtree
    assert "Orders" in page.get_by_test_id("domain-top-products").inner_text()
    screenshot(page, "costs-domain")
    assert not page.errors
