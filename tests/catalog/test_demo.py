"""The demo mesh: realistic, connected and idempotent to load."""

import pytest
from django.test import Client

from apps.catalog.demo import load_demo
from apps.catalog.models import DataProduct, Domain, Port
from apps.core.models import ObjectChange

pytestmark = pytest.mark.django_db


def test_demo_is_a_real_mesh():
    load_demo()
    assert Domain.objects.count() >= 5
    assert Domain.objects.filter(parent__isnull=False).exists()
    assert DataProduct.objects.count() >= 12
    assert set(DataProduct.objects.values_list("lifecycle", flat=True)) == {
        "draft",
        "published",
        "deprecated",
        "retired",
    }
    assert set(DataProduct.objects.values_list("classification", flat=True)) == {
        "public",
        "internal",
        "confidential",
        "restricted",
    }
    assert Port.objects.filter(upstream_port__isnull=False).count() >= 5
    assert Port.objects.get(product__slug="orders", name="orders-tables").datasets.count() == 2


def test_loading_the_demo_twice_changes_nothing():
    load_demo()
    changes = ObjectChange.objects.count()
    revisions = dict(DataProduct.objects.values_list("slug", "revision"))
    load_demo()
    assert ObjectChange.objects.count() == changes
    assert dict(DataProduct.objects.values_list("slug", "revision")) == revisions


def test_home_page_shows_the_mesh(django_assert_max_num_queries):
    load_demo()
    client = Client()
    assert client.login(username="casey", password="mesh-demo-consumer")
    with django_assert_max_num_queries(8):
        body = client.get("/").content.decode()
    assert "Sales EMEA" in body and "Customer Lifetime Value" in body


def test_anonymous_visitors_are_asked_to_log_in():
    load_demo()
    body = Client().get("/").content.decode()
    assert "Log in" in body and "Customer Lifetime Value" not in body
    assert Client().get("/products/orders/").status_code == 302
