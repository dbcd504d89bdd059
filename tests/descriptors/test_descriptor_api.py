"""``/api/v1/products/{slug}/descriptor``: export, preview, apply, located errors, permission."""

import pytest
import yaml

from apps.catalog.models import DataProduct
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def test_get_descriptor_as_yaml_and_put_it_back_changes_nothing(mesh):
    client = client_for(mesh, "owner")
    response = client.get("/api/v1/products/orders/descriptor?format=yaml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/yaml")
    text = response.content.decode()
    assert yaml.safe_load(text)["id"] == "orders"
    put = client.put("/api/v1/products/orders/descriptor", text, content_type="application/yaml")
    assert put.status_code == 200 and put.json() == {
        "product": "orders",
        "dry_run": False,
        "applied": False,
        "changes": [],
        "warnings": [],
    }


def test_put_dry_run_previews_without_applying(mesh):
    client = client_for(mesh, "owner")
    text = (
        client.get("/api/v1/products/orders/descriptor?format=yaml")
        .content.decode()
        .replace("name: Orders", "name: Orders EMEA")
    )
    response = client.put("/api/v1/products/orders/descriptor?dry_run=1", text, content_type="application/yaml")
    assert response.status_code == 200
    assert response.json()["changes"] == [
        {"op": "update", "kind": "product", "name": "orders", "fields": {"name": ["Orders", "Orders EMEA"]}}
    ]
    assert DataProduct.objects.get(slug="orders").name == "Orders"
    assert (
        client.put("/api/v1/products/orders/descriptor", text, content_type="application/yaml").json()["applied"]
        is True
    )
    assert DataProduct.objects.get(slug="orders").name == "Orders EMEA"


def test_put_errors_carry_line_and_column(mesh):
    client = client_for(mesh, "owner")
    text = "apiVersion: v1.0.0\nkind: DataProduct\nid: orders\nname: Orders\ndomain: emea\nstatus: shiny\nextra: 1\n"
    response = client.put("/api/v1/products/orders/descriptor", text, content_type="application/yaml")
    assert response.status_code == 400
    errors = {(e["field"], e["code"], e["line"], e["column"]) for e in response.json()["errors"]}
    assert ("status", "enum", 6, 9) in errors and ("extra", "unknown_field", 7, 1) in errors


def test_put_refuses_a_descriptor_for_another_slug_and_other_owners(mesh):
    owner = client_for(mesh, "owner")
    text = owner.get("/api/v1/products/orders/descriptor?format=yaml").content.decode()
    mismatch = owner.put("/api/v1/products/leads/descriptor", text, content_type="application/yaml")
    assert mismatch.status_code == 400 and mismatch.json()["errors"][0]["code"] == "id_mismatch"
    denied = client_for(mesh, "other_owner").put(
        "/api/v1/products/orders/descriptor", text.replace("name: Orders", "name: X"), content_type="application/yaml"
    )
    assert denied.status_code == 403
    assert DataProduct.objects.get(slug="orders").name == "Orders"


def test_put_creates_a_new_product_for_a_domain_owner(mesh):
    text = (
        "apiVersion: v1.0.0\nkind: DataProduct\nid: refunds\nname: Refunds\ndomain: emea\nstatus: draft\n"
        "outputPorts:\n  - name: refunds_api\n    type: rest\n    endpoint: https://api.example.com/refunds\n"
    )
    denied = client_for(mesh, "owner").put("/api/v1/products/refunds/descriptor", text, content_type="application/yaml")
    assert denied.status_code == 403 and not DataProduct.objects.filter(slug="refunds").exists()
    created = client_for(mesh, "domain_owner").put(
        "/api/v1/products/refunds/descriptor", text, content_type="application/yaml"
    )
    assert created.status_code == 200 and created.json()["applied"] is True
    assert DataProduct.objects.get(slug="refunds").ports.get().endpoint == "https://api.example.com/refunds"
