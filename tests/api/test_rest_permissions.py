"""Every REST write endpoint × every kind of person: the foundation's rule, applied by actions."""

import pytest

from apps.catalog.models import DataProduct, Domain, Ownership, Port
from apps.harvest.models import HarvestRun
from tests.api.conftest import ROLES, client_for

pytestmark = pytest.mark.django_db

PRODUCT_EDITORS = {"owner", "domain_owner", "admin"}
DOMAIN_EDITORS = {"domain_owner", "admin"}


def _write(mesh, endpoint):
    """(method, url, body, check) for each write endpoint; ``check`` proves the write happened."""
    return {
        "create_domain": (
            "post",
            "/api/v1/domains/",
            {"slug": "nordics", "name": "Nordics", "parent": "sales"},
            lambda: Domain.objects.filter(slug="nordics").exists(),
        ),
        "update_domain": (
            "patch",
            "/api/v1/domains/emea/",
            {"name": "EMEA!"},
            lambda: Domain.objects.get(slug="emea").name == "EMEA!",
        ),
        "delete_domain": (
            "delete",
            "/api/v1/domains/apac/",
            None,
            lambda: not Domain.objects.filter(slug="apac").exists(),
        ),
        "create_product": (
            "post",
            "/api/v1/products/",
            {"slug": "invoices", "name": "Invoices", "domain": "emea"},
            lambda: DataProduct.objects.filter(slug="invoices").exists(),
        ),
        "update_product": (
            "patch",
            "/api/v1/products/orders/",
            {"summary": "Every order"},
            lambda: DataProduct.objects.get(slug="orders").summary == "Every order",
        ),
        "delete_product": (
            "delete",
            "/api/v1/products/orders/",
            None,
            lambda: not DataProduct.objects.filter(slug="orders").exists(),
        ),
        "create_port": (
            "post",
            "/api/v1/ports/",
            {"product": "orders", "name": "orders_api", "direction": "output", "protocol": "rest"},
            lambda: Port.objects.filter(name="orders_api").exists(),
        ),
        "update_port": (
            "patch",
            f"/api/v1/ports/{mesh.orders_port.pk}/",
            {"description": "The table"},
            lambda: Port.objects.get(pk=mesh.orders_port.pk).description == "The table",
        ),
        "link_input_port": (
            "post",
            "/api/v1/ports/",
            {"product": "orders", "name": "leads_in", "direction": "input", "upstream_port": mesh.leads_port.pk},
            lambda: Port.objects.filter(name="leads_in", upstream_port=mesh.leads_port).exists(),
        ),
        "delete_port": (
            "delete",
            f"/api/v1/ports/{mesh.orders_port.pk}/",
            None,
            lambda: not Port.objects.filter(pk=mesh.orders_port.pk).exists(),
        ),
        "add_owner": (
            "post",
            "/api/v1/ownerships/",
            {"product": "orders", "user": "casey", "role": "steward"},
            lambda: Ownership.objects.filter(product=mesh.orders, user=mesh.consumer).exists(),
        ),
        "trigger_harvest": (
            "post",
            "/api/v1/sources/warehouse/harvest/",
            None,
            lambda: HarvestRun.objects.filter(source=mesh.source).exists(),
        ),
        "remove_owner": (
            "delete",
            f"/api/v1/ownerships/{mesh.owner_ownership.pk}/",
            None,
            lambda: not Ownership.objects.filter(pk=mesh.owner_ownership.pk).exists(),
        ),
    }[endpoint]


ALLOWED = {
    "create_domain": DOMAIN_EDITORS,
    "update_domain": DOMAIN_EDITORS,
    "delete_domain": DOMAIN_EDITORS,
    "create_product": DOMAIN_EDITORS,
    "update_product": PRODUCT_EDITORS,
    "delete_product": {"admin"},
    "create_port": PRODUCT_EDITORS,
    "update_port": PRODUCT_EDITORS,
    "link_input_port": PRODUCT_EDITORS,
    "delete_port": PRODUCT_EDITORS,
    "add_owner": PRODUCT_EDITORS,
    "remove_owner": PRODUCT_EDITORS,
    "trigger_harvest": {"admin"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ALLOWED))
def test_rest_write_permission_matrix(mesh, endpoint, role):
    method, url, body, happened = _write(mesh, endpoint)
    response = getattr(client_for(mesh, role), method)(url, body, format="json")
    if role == "anonymous":
        assert response.status_code == 401, response.content
    elif role in ALLOWED[endpoint]:
        assert response.status_code in (200, 201, 202, 204), response.content
        assert happened()
    else:
        assert response.status_code == 403, response.content
        assert response.json()["errors"][0]["code"] == "permission_denied"
    if role not in ALLOWED[endpoint]:
        assert not happened()
