"""A fuzz pass over the GraphQL schema: hypothesis-graphql builds documents from the schema.

Queries and mutations (valid documents with arbitrary arguments, NUL bytes included) and
arbitrary text posted as a document, as an admin (every field resolves) and as a consumer
(every permission check runs). A fixed budget keeps the run short; any 5xx, any non-JSON
answer fails. Mutations run in the test's transaction, rolled back afterwards.
"""

import json

import pytest
from django.test import Client
from graphql.language import StringValueNode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import strategies as gql

from apps.core.actions import create_token
from mesh_catalog.graphql.schema import schema as graphene_schema

pytestmark = pytest.mark.django_db

BUDGET = settings(
    max_examples=100, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)
SCHEMA = graphene_schema.graphql_schema


def _strings(*values):
    return st.sampled_from(values).map(lambda v: StringValueNode(value=v))


# Custom scalars: valid and invalid literals of each.
SCALARS = {
    "DateTime": _strings("2026-12-01T10:00:00+00:00", "not a date", "9999-99-99"),
    "JSONString": _strings('{"a": 1}', "[", "{}", '{"a": ' * 200),
    "Decimal": _strings("1.5", "-1", "1e400", "x"),
    "Date": _strings("2026-12-01", "2026-13-45"),
}


@pytest.fixture
def clients(mesh):
    def client(role):
        raw = create_token(getattr(mesh, role), name="fuzz")[1]
        return lambda body: Client().post(
            "/graphql", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
        )

    return {"admin": client("admin"), "consumer": client("consumer")}


def assert_no_server_error(response, document):
    assert response.status_code < 500, (response.status_code, document[:2000], response.content[:2000])
    assert response["Content-Type"].startswith("application/json"), document[:500]
    body = response.json()
    assert "data" in body or body.get("errors"), body


def _custom_scalars():
    return {name: strategy for name, strategy in SCALARS.items() if name in SCHEMA.type_map}


def test_fuzzed_queries_never_give_a_server_error(clients):
    @BUDGET
    @given(document=gql.queries(SCHEMA, custom_scalars=_custom_scalars()), role=st.sampled_from(["admin", "consumer"]))
    def run(document, role):
        assert_no_server_error(clients[role](json.dumps({"query": document})), document)

    run()


def test_fuzzed_mutations_never_give_a_server_error(clients):
    @BUDGET
    @given(
        document=gql.mutations(SCHEMA, custom_scalars=_custom_scalars()), role=st.sampled_from(["admin", "consumer"])
    )
    def run(document, role):
        assert_no_server_error(clients[role](json.dumps({"query": document})), document)

    run()


def test_arbitrary_text_as_a_document_never_gives_a_server_error(clients):
    @BUDGET
    @given(
        document=st.one_of(
            st.text(max_size=300),
            st.builds(lambda n: "{" * n + "}" * n, st.integers(0, 5000)),
            st.builds(lambda n: "query { " + "...F " * n + "} fragment F on Query { ...F }", st.integers(1, 50)),
        )
    )
    def run(document):
        assert_no_server_error(clients["consumer"](json.dumps({"query": document})), document)

    run()
