"""Issue 12, item 2: the source page shows the lab reader's privileges (admins only)."""

import pytest
from django.test import Client

from apps.core.testing import SYSTEM
from tests.lab import warehouse

pytestmark = pytest.mark.django_db


def _admin(lab) -> Client:
    client = Client()
    client.force_login(lab.admin)
    return client


def test_source_page_loads_the_reader_panel(lab):
    html = _admin(lab).get(f"/sources/{lab.source.name}/").content.decode()
    assert "Lab reader" in html and f"/lab/sources/{lab.source.name}/reader/" in html


def test_panel_shows_a_least_privilege_reader_and_its_table_privileges(lab):
    from apps.catalog import actions

    actions.create_port(SYSTEM, lab.leads, name="hr", direction="output", datasets=[lab.salaries_ds])
    response = _admin(lab).get(f"/lab/sources/{lab.source.name}/reader/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<code>{warehouse.names()[1]}</code>" in html and "Least privilege" in html
    # The test reader may write sales.orders (deliberately over-granted): the panel says so.
    row = html.split("<code>sales.orders</code>")[1].split("</tr>")[0]
    assert row.count("yes") == 2  # SELECT yes, may write yes, owner no
    assert "<code>secret.salaries</code>" in html
    assert warehouse.READER_PASSWORD not in html


def test_panel_explains_a_superuser_fallback(lab):
    lab.source.config = {"dsn": warehouse.admin_conninfo(lab.warehouse)}
    lab.source.save()
    html = _admin(lab).get(f"/lab/sources/{lab.source.name}/reader/").content.decode()
    assert "the <strong>harvest</strong> role" in html
    assert "is a superuser" in html and "CREATE ROLE lab_reader" in html


def test_panel_is_for_admins_only(lab):
    client = Client()
    client.force_login(lab.consumer)
    assert client.get(f"/lab/sources/{lab.source.name}/reader/").status_code == 403


@pytest.mark.e2e
def test_source_page_shows_the_reader_panel_in_a_browser(lab, page):
    from tests.e2e.conftest import login

    login(page, "admin")
    page.goto(f"/sources/{lab.source.name}/")
    panel = page.get_by_role("region", name="Lab reader")
    panel.get_by_text("Least privilege").wait_for()
    assert warehouse.names()[1] in panel.inner_text()
    assert page.errors == []
