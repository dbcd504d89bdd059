"""Personal data in a real browser: confirm/reject, conflicts, masking in the lab, forget requests."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot
from tests.privacy.conftest import privacy_warehouse  # noqa: F401  (session fixture: the Faker warehouse)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mini(transactional_db):
    from apps.catalog.testing import make_mesh
    from tests.privacy.mini import build_mini

    mesh = make_mesh()
    return mesh, build_mini(mesh)


def test_owner_confirms_and_rejects_suggestions(page, mini):
    from apps.privacy.models import ColumnClassification

    mesh, m = mini
    login(page, "olivia")
    page.goto(f"/datasets/{m.customers.pk}/")
    expect(page.locator("#col-email")).to_contain_text("pii:email?")
    page.locator("#col-email a.tag", has_text="pii:email").click()
    page.wait_for_url(re.compile(rf"/privacy/datasets/{m.customers.pk}/"))
    page.get_by_role("button", name="Confirm pii:email on email").click()
    expect(page.locator('[data-column="email"] [data-tag="pii:email"]')).to_have_attribute("data-state", "confirmed")
    page.get_by_role("button", name="Reject pii:phone on phone").click()
    expect(page.locator('[data-column="phone"] [data-tag="pii:phone"]')).to_have_attribute("data-state", "rejected")
    screenshot(page, "privacy-review")
    assert ColumnClassification.objects.get(column=m.col(m.customers, "email"), category="email").state == "confirmed"
    assert ColumnClassification.objects.get(column=m.col(m.customers, "phone"), category="phone").state == "rejected"
    page.goto(f"/datasets/{m.customers.pk}/")
    expect(page.locator("#col-email a.tag-confirmed")).to_have_text("pii:email")
    expect(page.locator("#col-phone")).not_to_contain_text("pii:phone")
    assert not page.errors


def test_consumer_sees_the_conflict_on_the_product_and_in_the_report(page, mini):
    login(page, "casey")
    page.goto("/products/orders/")
    notice = page.locator(".notice-warning")
    expect(notice).to_contain_text("Classification conflict: this product is internal")
    notice.get_by_role("link", name="Review personal data").click()
    page.wait_for_url(re.compile(r"/privacy/conflicts/"))
    expect(page.locator("#product-orders")).to_contain_text("pii:email")
    screenshot(page, "privacy-conflicts")
    # no edit controls for a consumer on the review page
    page.locator("#product-orders a", has_text="crm.customers").first.click()
    expect(page.get_by_role("button", name=re.compile("^Confirm"))).to_have_count(0)
    assert not page.errors


def test_forget_request_flow(page, mini):
    from apps.privacy.models import ForgetRequest

    login(page, "admin")
    page.goto("/privacy/forget/")
    page.get_by_label("Identifier").select_option("customer_id")
    page.get_by_label("Ticket / case").fill("GDPR-2026-0042")
    page.get_by_role("button", name="Open request").click()
    page.wait_for_url(re.compile(r"/privacy/forget/\d+/$"))
    expect(page.locator('[data-product="Orders"]')).to_contain_text("DELETE FROM crm.customers WHERE customer_id")
    expect(page.locator(".forget-task")).to_have_count(2)
    url = page.url
    page.get_by_role("button", name="Log out").click()
    login(page, "olivia")
    page.goto(url)
    orders = page.locator('[data-product="Orders"]')
    orders.get_by_label("Status of Orders").select_option("done")
    orders.get_by_label("Comment for Orders").fill("Deleted in crm and marts on 2026-12-01")
    orders.get_by_role("button", name="Save").click()
    expect(page.locator('[data-product="Orders"]')).to_have_attribute("data-status", "done")
    expect(page.locator('[data-product="Leads"] select')).to_have_count(0)  # not olivia's product
    screenshot(page, "privacy-forget-request")
    request = ForgetRequest.objects.get(reference="GDPR-2026-0042")
    assert request.tasks.get(product__slug="orders").comment.startswith("Deleted in crm")
    assert request.status == "open"
    assert not page.errors


@pytest.fixture
def lab_port(transactional_db, privacy_warehouse, settings):  # noqa: F811
    from django.core.cache import cache

    from apps.catalog import actions as catalog_actions
    from apps.catalog.models import Dataset
    from apps.catalog.testing import make_mesh
    from apps.core.testing import SYSTEM
    from apps.harvest import actions as harvest_actions
    from tests.privacy import warehouse

    cache.clear()
    settings.MESH_PRIVACY_SAMPLE_AFTER_HARVEST = True
    mesh = make_mesh()
    dsn = warehouse.reader_dsn(privacy_warehouse)
    source = harvest_actions.create_source(
        SYSTEM,
        name="privacy-wh",
        kind="postgres",
        config={"dsn": dsn.replace(warehouse.names()[1], "postgres"), "reader_dsn": dsn},
        secrets={"reader_password": warehouse.READER_PASSWORD},
    )
    harvest_actions.trigger_harvest(SYSTEM, source, triggered_by="test", run_async=False)
    customers = Dataset.objects.get(name=f"{privacy_warehouse}.crm.customers")
    return catalog_actions.create_port(
        SYSTEM, mesh.orders, name="people", direction="output", protocol="postgres", datasets=[customers]
    )


def test_lab_masks_personal_data_for_a_consumer(page, lab_port):
    login(page, "casey")
    page.goto(f"/lab/ports/{lab_port.pk}/")
    editor = page.get_by_label("SQL", exact=True)
    editor.fill("SELECT upper(email) AS shout, city FROM crm.customers ORDER BY customer_id LIMIT 5")
    page.get_by_role("button", name="Run query").click()
    result = page.locator(".lab-result")
    expect(result.locator(".lab-masked")).to_contain_text("Masked personal data: shout (pii:email)")
    expect(result.locator("tbody tr")).to_have_count(5)
    assert "@" not in result.inner_text()
    screenshot(page, "privacy-lab-masked")
    editor.fill("SELECT count(*) FROM crm.customers WHERE email LIKE 'a%'")
    page.get_by_role("button", name="Run query").click()
    expect(page.locator(".lab-result .lab-error")).to_contain_text("can only be selected")
    assert not page.errors
