"""The project's own error pages, also with DEBUG on (the embedded demo runs with DEBUG)."""

import pytest
from django.test import Client, override_settings
from django.urls import path

from apps.core.testing import make_user

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("kaboom")


urlpatterns = [path("boom/", boom)]


@override_settings(DEBUG=True)
def test_an_unknown_url_shows_the_own_404_page_not_the_url_patterns():
    response = Client().get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "Nothing here" in body and "URLconf" not in body and "Using the URLconf" not in body


@override_settings(DEBUG=True)
def test_a_404_raised_by_a_view_and_a_403_use_the_own_pages():
    make_user("casey")
    client = Client()
    client.login(username="casey", password="pw-for-tests")
    missing = client.get("/products/no-such-product/")
    assert missing.status_code == 404 and "Nothing here" in missing.content.decode()
    forbidden = client.get("/sources/new/")
    assert forbidden.status_code == 403 and "Technical" not in forbidden.content.decode()


@override_settings(DEBUG=True, ROOT_URLCONF="tests.core.test_error_pages")
def test_a_server_error_shows_the_own_500_page_and_is_still_signalled():
    with pytest.raises(RuntimeError):  # the test client re-raises what was signalled
        Client().get("/boom/")
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500 and "kaboom" not in response.content.decode()
    assert "Traceback" not in response.content.decode()


@override_settings(DEBUG=True)
def test_api_paths_keep_their_json_errors():
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")


@override_settings(DEBUG=True, MESH_OWN_ERROR_PAGES=False)
def test_developers_can_have_the_debug_pages_back():
    assert "URLconf" in Client().get("/no-such-page/").content.decode()
