"""Issue 12, item 3: only admins see a source's configuration (DSNs, hosts, roles, paths).

The attack: ``{ sources { edges { node { config } } } }`` as any logged-in consumer
returned every source's DSN. Now config and mapping rules are null for non-admins in
GraphQL and REST; the source pages were already admin-only.
"""

import json

import pytest
from django.test import Client

from apps.core.actions import create_token
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

QUERY = '{ sources { edges { node { name config mappingRules secretKeys } } } source(name: "warehouse") { config } }'


def _graphql(user, query):
    _, raw = create_token(user, name="t")
    response = Client().post(
        "/graphql", json.dumps({"query": query}), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


@pytest.fixture
def dsn_source(mesh):
    mesh.source.config = {"dsn": "postgresql://harvester@db.internal:5432/shop", "reader_dsn": "postgresql://r@h/db"}
    mesh.source.mapping_rules = [{"match": "shop.*", "product": "orders"}]
    mesh.source.save()
    return mesh.source


@pytest.mark.parametrize("role", ["consumer", "owner", "domain_owner"])
def test_non_admins_never_see_source_config(mesh, dsn_source, role):
    data = _graphql(getattr(mesh, role), QUERY)
    node = data["sources"]["edges"][0]["node"]
    assert node["config"] is None and node["mappingRules"] is None and node["secretKeys"] == ["password"]
    assert data["source"]["config"] is None
    rest = client_for(mesh, role).get("/api/v1/sources/warehouse/")
    assert rest.status_code == 200
    assert rest.json()["config"] is None and rest.json()["mapping_rules"] is None
    listing = client_for(mesh, role).get("/api/v1/sources/").content.decode()
    assert "db.internal" not in listing and "harvester" not in listing


def test_admins_see_it(mesh, dsn_source):
    node = _graphql(mesh.admin, QUERY)["sources"]["edges"][0]["node"]
    assert json.loads(node["config"])["dsn"].startswith("postgresql://harvester@db.internal")
    rest = client_for(mesh, "admin").get("/api/v1/sources/warehouse/").json()
    assert rest["config"]["dsn"].startswith("postgresql://harvester@") and "s3cr3t" not in json.dumps(rest)
