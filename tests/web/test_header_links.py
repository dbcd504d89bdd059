"""The header reaches every app's cross-catalog page (maturity, costs, personal data) — as far as the visitor may."""

import re

import pytest
from django.test import Client, override_settings

from apps.core.testing import make_user

pytestmark = pytest.mark.django_db


def header_links(client: Client) -> list[str]:
    body = client.get("/").content.decode()
    nav = re.search(r'<nav class="usernav" aria-label="Main">(.*?)</nav>', body, re.S).group(1)
    return re.findall(r">([^<>]+)</a>", nav)


@override_settings(MESH_PUBLIC_READ=False)
def test_a_signed_in_reader_reaches_maturity_and_personal_data_from_the_header():
    client = Client()
    client.force_login(make_user("casey"))
    links = header_links(client)
    assert links[:3] == ["Browse", "Maturity", "Personal data"]
    assert "Costs" not in links and "Sources" not in links  # the platform team's pages
    for path in ("/trust/maturity/", "/privacy/subjects/"):
        assert client.get(path).status_code == 200, path


@override_settings(MESH_PUBLIC_READ=False)
def test_an_admin_also_reaches_the_mesh_costs():
    client = Client()
    client.force_login(make_user("platform", superuser=True))
    links = header_links(client)
    assert links[:4] == ["Browse", "Maturity", "Costs", "Personal data"]
    assert client.get("/costs/").status_code == 200


@override_settings(MESH_PUBLIC_READ=True)
def test_an_anonymous_visitor_sees_only_the_links_public_read_opens():
    links = header_links(Client())
    assert "Maturity" in links and "Personal data" in links and "Costs" not in links


@override_settings(MESH_PUBLIC_READ=False)
def test_without_public_read_an_anonymous_visitor_gets_no_app_links():
    body = Client().get("/login/").content.decode()
    assert "Maturity" not in body and "Personal data" not in body
