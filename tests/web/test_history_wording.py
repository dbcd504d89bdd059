"""History reads as people speak, and the description diff is single-spaced."""

import pytest
from django.test import Client

from apps.catalog import actions
from apps.core.models import ObjectChange
from apps.core.testing import make_mesh
from apps.lab import actions as lab_actions

pytestmark = pytest.mark.django_db


def test_product_history_names_things_in_words():
    mesh = make_mesh()
    actions.update_product(mesh.owner, mesh.orders, summary="New summary", cost_per_month=12, cost_currency="EUR")
    port = actions.create_port(mesh.owner, mesh.orders, name="out", direction="output", protocol="postgres")
    lab_actions.create_sample_query(mesh.owner, port, title="Revenue", sql="SELECT 1")
    client = Client()
    client.force_login(mesh.owner)
    body = client.get("/products/orders/").content.decode()
    assert "updated the data product <em>Orders</em>" in body
    assert "cost per month" in body and "dataproduct" not in body and "samplequery" not in body
    history = client.get("/products/orders/history/").content.decode()
    assert "the sample query" in history and "the data product" in history and "samplequery" not in history


def test_description_diff_has_one_line_per_line():
    mesh = make_mesh()
    actions.update_product(mesh.owner, mesh.orders, description="one\ntwo\nthree")
    actions.update_product(mesh.owner, mesh.orders, description="one\n2\nthree")
    ids = list(ObjectChange.objects.filter(object_id=str(mesh.orders.pk)).order_by("id").values_list("pk", flat=True))
    client = Client()
    client.force_login(mesh.owner)
    body = client.get(f"/products/orders/diff/?from={ids[-2]}&to={ids[-1]}").content.decode()
    diff = body[body.index('<pre class="diff">') : body.index("</pre>", body.index('<pre class="diff">'))]
    assert "</span>\n<span" not in diff and "</span><span" in diff
