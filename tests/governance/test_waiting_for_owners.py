"""Owners find the access requests waiting for them from the header (Access requests page)."""

import pytest
from django.test import Client

from apps.catalog import actions as catalog_actions
from apps.catalog.testing import make_mesh
from apps.core.testing import SYSTEM
from apps.governance import actions

pytestmark = pytest.mark.django_db


def test_owners_see_requests_waiting_for_their_decision_and_consumers_do_not(django_assert_max_num_queries):
    mesh = make_mesh()
    catalog_actions.update_product(SYSTEM, mesh.orders, classification="confidential")
    port = catalog_actions.create_port(
        SYSTEM, mesh.orders, name="orders-tables", direction="output", protocol="postgres"
    )
    actions.request_access(mesh.consumer, port, reason="Churn model for the retention team.")

    owner = Client()
    owner.force_login(mesh.owner)
    home = owner.get("/").content.decode()
    assert "Access requests" in home
    with django_assert_max_num_queries(12):
        body = owner.get("/access/mine/").content.decode()
    assert "Waiting for your decision" in body and "Churn model for the retention team." in body

    consumer = Client()
    consumer.force_login(mesh.consumer)
    body = consumer.get("/access/mine/").content.decode()
    assert "Waiting for your decision" not in body and "Orders" in body
