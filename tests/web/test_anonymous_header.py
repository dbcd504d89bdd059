"""Anonymous visitors without public read: no search box that pastes the login page."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


@override_settings(MESH_PUBLIC_READ=False)
def test_without_public_read_the_header_offers_login_instead_of_search():
    body = Client().get("/login/").content.decode()
    assert 'id="topq"' not in body and "Log in to search the mesh" in body


@override_settings(MESH_PUBLIC_READ=False)
def test_the_suggest_endpoint_answers_a_login_link_not_a_redirect():
    response = Client().get("/search/suggest/", {"q": "orders"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "Log in to search" in body and "password" not in body.lower()


@override_settings(MESH_PUBLIC_READ=True)
def test_with_public_read_the_login_page_says_so_and_the_header_searches():
    body = Client().get("/login/").content.decode()
    assert 'id="topq"' in body and "browse the catalog" in body


@override_settings(DEBUG=False)
def test_demo_accounts_are_never_named_in_production():
    assert "mesh-demo-consumer" not in Client().get("/login/").content.decode()
