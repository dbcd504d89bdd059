"""The trust pages run a fixed number of queries whatever the size of the mesh."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.trust.scoring import recompute
from tests.trust.test_scoring import generate

pytestmark = pytest.mark.django_db

URLS = ["/trust/maturity/", "/trust/domains/sales/", "/trust/products/orders/", "/trust/products/orders/badge/"]


def counts(client) -> dict:
    out = {}
    for url in URLS:
        client.get(url)
        with CaptureQueriesContext(connection) as q:
            assert client.get(url).status_code == 200
        out[url] = len(q.captured_queries)
    return out


def test_trust_pages_do_not_grow_with_the_mesh(mesh, client):
    client.force_login(mesh.consumer)
    recompute()
    small = counts(client)
    generate(mesh, 30)
    recompute()
    big = counts(client)
    assert big == small, (small, big)
    assert small["/trust/products/orders/badge/"] <= 8
