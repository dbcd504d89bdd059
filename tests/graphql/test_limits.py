"""Depth, alias, cost and page-size limits, and the standard validation rules kept."""

import pytest

from apps.catalog import actions
from apps.core.testing import SYSTEM
from mesh_catalog.graphql import limits

pytestmark = pytest.mark.django_db


def _errors(client, query):
    response = client.post(query)
    body = response.json()
    assert "errors" in body, body
    return " ".join(e["message"] for e in body["errors"])


def test_too_deep_query_is_refused(as_role):
    nested = "parent { " * (limits.MAX_DEPTH + 1) + "slug" + " }" * (limits.MAX_DEPTH + 1)
    assert "exceeds maximum operation depth" in _errors(
        as_role("consumer"), f'{{ domain(slug: "emea") {{ {nested} }} }}'
    )


def test_too_many_aliases_are_refused(as_role):
    fields = " ".join(f'a{i}: dataProduct(slug: "orders") {{ slug }}' for i in range(limits.MAX_ALIASES + 1))
    assert "Too many aliases" in _errors(as_role("consumer"), f"{{ {fields} }}")


def test_too_expensive_query_is_refused(as_role):
    query = "{ dataProducts(first: 500) { edges { node { ports(first: 500) { edges { node { datasets(first: 500) { edges { node { name } } } } } } } } } }"
    assert "too expensive" in _errors(as_role("consumer"), query)


def test_page_size_is_capped(as_role):
    assert "'first' must be between 0 and" in _errors(
        as_role("consumer"), "{ dataProducts(first: 5000) { totalCount } }"
    )


def test_standard_rules_still_apply(as_role):
    assert "Cannot query field 'nope'" in _errors(as_role("consumer"), '{ dataProduct(slug: "orders") { nope } }')


def test_pagination_walks_every_product_once(mesh, as_role):
    for i in range(5):
        actions.create_product(SYSTEM, domain=mesh.emea, slug=f"p{i}", name=f"P{i}")
    client = as_role("consumer")
    seen, after = [], None
    while True:
        data = client(
            'query($after: String) { dataProducts(first: 3, after: $after, orderBy: "slug") { totalCount pageInfo { hasNextPage endCursor } edges { node { slug } } } }',
            {"after": after},
        )
        page = data["dataProducts"]
        seen += [e["node"]["slug"] for e in page["edges"]]
        assert page["totalCount"] == 7
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(["orders", "leads", "p0", "p1", "p2", "p3", "p4"])
