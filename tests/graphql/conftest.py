"""Helpers of the GraphQL tests: post a query as one of the permission-matrix people."""

import json

import pytest
from django.test import Client

from apps.core.actions import create_token
from tests.api import conftest as api_conftest

mesh = api_conftest.mesh  # the shared permission-matrix mesh fixture, used here under the same name


def gql(client: Client, query: str, variables: dict | None = None, **headers):
    response = client.post(
        "/graphql",
        json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
        **headers,
    )
    return response


class GraphQLClient:
    """Posts GraphQL documents with a bearer token (or none, for anonymous)."""

    def __init__(self, raw_token: str | None):
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw_token}"} if raw_token else {}

    def post(self, query: str, variables: dict | None = None):
        return gql(self.client, query, variables, **self.headers)

    def __call__(self, query: str, variables: dict | None = None) -> dict:
        response = self.post(query, variables)
        assert response.status_code == 200, response.content
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]


@pytest.fixture
def as_role(mesh):
    def make(role: str) -> GraphQLClient:
        if role == "anonymous":
            return GraphQLClient(None)
        _, raw = create_token(getattr(mesh, role), name="tests")
        return GraphQLClient(raw)

    return make
