"""GraphiQL really works in a browser with no network beyond the catalog itself."""

from urllib.parse import quote

import pytest

from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_graphiql_runs_a_query_with_only_local_assets(page, live_server):
    from apps.catalog.testing import make_mesh

    make_mesh()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    login(page, "casey")
    page.goto("/graphql#query=" + quote('{ dataProduct(slug: "orders") { name domain { slug } } }'))
    page.locator(".graphiql-execute-button").click()
    page.locator(".result-window").get_by_text('"slug": "emea"').wait_for()
    assert page.errors == []
    outside = [url for url in requested if not url.startswith(live_server.url)]
    assert outside == [], outside
