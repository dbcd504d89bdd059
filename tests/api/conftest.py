"""Fixtures of the API tests: the permission-matrix mesh and clients acting as its people."""

import pytest
from rest_framework.test import APIClient

from apps.catalog import actions
from apps.catalog.testing import make_mesh
from apps.core.actions import create_token
from apps.core.testing import SYSTEM
from apps.harvest.models import Source

ROLES = ["anonymous", "consumer", "other_owner", "owner", "domain_owner", "admin"]


@pytest.fixture
def mesh(db):
    mesh = make_mesh()
    mesh.apac = actions.create_domain(SYSTEM, slug="apac", name="Sales APAC", parent=mesh.sales)
    mesh.orders_port = actions.create_port(
        SYSTEM, mesh.orders, name="orders_table", direction="output", protocol="postgres"
    )
    mesh.leads_port = actions.create_port(
        SYSTEM, mesh.leads, name="leads_table", direction="output", protocol="postgres"
    )
    mesh.owner_ownership = mesh.orders.ownerships.get(user=mesh.owner)
    mesh.source = Source.objects.create(
        name="warehouse",
        kind="postgres",
        config={"host": "127.0.0.1", "port": 5432, "database": "shop"},
        secrets={"password": "s3cr3t-value"},
    )
    return mesh


def client_for(mesh, role: str) -> APIClient:
    """An API client authenticated with a personal access token of ``role`` (none for anonymous)."""
    client = APIClient()
    if role != "anonymous":
        _, raw = create_token(getattr(mesh, role), name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client
