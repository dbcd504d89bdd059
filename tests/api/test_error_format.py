"""Issue 12, items 6 and 8: every API answers hostile input with a 4xx in one error format.

``{"errors": [{"field", "code", "message"}]}`` with the right status — never an HTML
page, never a 500 — with ``DEBUG=False`` as in production.
"""

import json

import pytest
from django.test import Client, override_settings

from apps.core.actions import create_token
from tests.api.conftest import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("production_mode")]

FRAGMENT_CYCLE = "query { dataProducts { edges { node { ...A } } } } fragment A on DataProduct { slug ...B } fragment B on DataProduct { name ...A }"


@pytest.fixture
def production_mode():
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver", "localhost"]):
        yield


def assert_error_format(response, status: int, code: str | None = None):
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    errors = response.json()["errors"]
    assert errors and all({"field", "code", "message"} <= set(e) for e in errors), errors
    if code:
        assert code in {e["code"] for e in errors}, errors
    return errors


def _token_headers(mesh, role="owner"):
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(getattr(mesh, role), name='t')[1]}"}


def test_nul_byte_in_a_rest_body_is_a_400(mesh):
    response = client_for(mesh, "owner").post(
        "/api/v1/ports/", {"product": "orders\x00", "name": "n", "direction": "output"}, format="json"
    )
    assert_error_format(response, 400, "nul_character")


def test_json_nested_100000_deep_is_a_400(mesh):
    body = "[" * 100_000 + "]" * 100_000
    response = Client().post("/api/v1/ports/", body, content_type="application/json", **_token_headers(mesh))
    assert_error_format(response, 400, "too_deep")
    response = Client().post("/graphql", body, content_type="application/json", **_token_headers(mesh))
    assert_error_format(response, 400, "too_deep")


def test_a_body_over_the_limit_is_a_json_413_before_it_is_read(mesh):
    big = json.dumps({"name": "x" * 3_000_000})
    for path in ("/api/v1/ports/", "/graphql", "/api/v1/lineage"):
        response = Client().post(path, big, content_type="application/json", **_token_headers(mesh))
        assert_error_format(response, 413, "too_large")


def test_anonymous_graphql_post_is_a_401_not_a_csrf_page(mesh):
    response = Client(enforce_csrf_checks=True).post(
        "/graphql", json.dumps({"query": "{ dataProducts { totalCount } }"}), content_type="application/json"
    )
    assert_error_format(response, 401, "not_authenticated")


def test_anonymous_rest_post_is_a_401(mesh):
    response = Client(enforce_csrf_checks=True).post("/api/v1/ports/", "{}", content_type="application/json")
    assert_error_format(response, 401)


def test_session_graphql_post_without_csrf_token_is_a_json_403_and_with_it_works(mesh):
    client = Client(enforce_csrf_checks=True)
    client.force_login(mesh.consumer)
    body = json.dumps({"query": "{ dataProducts { totalCount } }"})
    assert_error_format(client.post("/graphql", body, content_type="application/json"), 403, "csrf_failed")
    client.get("/graphql", HTTP_ACCEPT="text/html")  # GraphiQL sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    ok = client.post("/graphql", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 200, ok.content
    assert "totalCount" in ok.json()["data"]["dataProducts"]


def test_graphql_fragment_cycle_is_a_400_not_a_recursion_error(mesh):
    response = Client().post(
        "/graphql", json.dumps({"query": FRAGMENT_CYCLE}), content_type="application/json", **_token_headers(mesh)
    )
    assert response.status_code == 400
    assert any("Cannot spread fragment" in e["message"] for e in response.json()["errors"])


def test_graphql_document_limits(mesh):
    long_doc = "{ dataProducts { totalCount } }" + " " * 60_000
    response = Client().post(
        "/graphql", json.dumps({"query": long_doc}), content_type="application/json", **_token_headers(mesh)
    )
    assert response.status_code == 400 and "longer than" in response.json()["errors"][0]["message"]
    many_tokens = "{ " + " ".join(f"f{i}: __typename" for i in range(2000)) + " }"
    response = Client().post(
        "/graphql", json.dumps({"query": many_tokens}), content_type="application/json", **_token_headers(mesh)
    )
    assert response.status_code == 400 and "token" in response.json()["errors"][0]["message"].lower()
    deep = "{" + "a {" * 20_000 + "}" * 20_001
    response = Client().post(
        "/graphql", json.dumps({"query": deep}), content_type="application/json", **_token_headers(mesh)
    )
    assert response.status_code == 400


def test_nul_in_graphql_variables_is_a_400(mesh):
    body = json.dumps({"query": "query($q: String!) { search(q: $q) { totalCount } }", "variables": {"q": "a\x00"}})
    response = Client().post("/graphql", body, content_type="application/json", **_token_headers(mesh))
    assert_error_format(response, 400, "nul_character")


def test_unknown_api_url_and_wrong_method_are_json(mesh):
    assert_error_format(client_for(mesh, "owner").get("/api/v1/no-such-thing/"), 404, "not_found")
    assert_error_format(Client().put("/graphql", "{}", content_type="application/json", **_token_headers(mesh)), 405)


def test_a_crash_is_a_json_500_without_details(mesh, monkeypatch):
    from apps.harvest.api import sources as api_sources

    def boom(self):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api_sources.SourceViewSet, "get_queryset", boom)
    client = client_for(mesh, "admin")
    client.raise_request_exception = False
    response = client.get("/api/v1/sources/")
    errors = assert_error_format(response, 500, "server_error")
    assert "secret internals" not in json.dumps(errors)


def test_pages_keep_their_html_error_pages(mesh):
    client = Client()
    client.force_login(mesh.consumer)
    response = client.get("/products/no-such-product/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
