"""Every mutation × every kind of person, typed errors, conflicts, history via graphql."""

import pytest

from apps.catalog import actions
from apps.catalog.models import DataProduct, Ownership, Port
from apps.core.models import ObjectChange
from apps.core.testing import SYSTEM, make_user
from apps.governance.actions import request_access
from apps.governance.models import AccessRequest
from apps.lab.actions import create_sample_query
from apps.lab.models import SampleQuery
from tests.api.conftest import ROLES

pytestmark = pytest.mark.django_db

PRODUCT_EDITORS = {"owner", "domain_owner", "admin"}


def _mutation(mesh, name):
    """(document, payload field, check that the write happened) per mutation."""
    op = mesh.orders_port.pk
    return {
        "createProduct": (
            'mutation { createProduct(domain: "emea", slug: "invoices", name: "Invoices", input: {summary: "All invoices"}) { product { slug } errors { field code message } } }',
            lambda: DataProduct.objects.filter(slug="invoices").exists(),
        ),
        "updateProduct": (
            'mutation { updateProduct(slug: "orders", input: {summary: "Every order", lifecycle: "deprecated", classification: "confidential", tags: ["gold"]}) { product { summary tags } errors { field code message } } }',
            lambda: DataProduct.objects.get(slug="orders").summary == "Every order",
        ),
        "addOwner": (
            'mutation { addOwner(product: "orders", username: "casey", role: "steward") { ownership { role } errors { field code message } } }',
            lambda: Ownership.objects.filter(product=mesh.orders, user=mesh.consumer).exists(),
        ),
        "removeOwner": (
            f'mutation {{ removeOwner(id: "{mesh.owner_ownership.pk}") {{ removedId errors {{ field code message }} }} }}',
            lambda: not Ownership.objects.filter(pk=mesh.owner_ownership.pk).exists(),
        ),
        "createPort": (
            'mutation { createPort(product: "orders", input: {name: "orders_api", direction: "output", protocol: "rest"}) { port { name } errors { field code message } } }',
            lambda: Port.objects.filter(name="orders_api").exists(),
        ),
        "updatePort": (
            f'mutation {{ updatePort(id: "{op}", input: {{description: "The table"}}) {{ port {{ description }} errors {{ field code message }} }} }}',
            lambda: Port.objects.get(pk=op).description == "The table",
        ),
        "deletePort": (
            f'mutation {{ deletePort(id: "{op}") {{ removedId errors {{ field code message }} }} }}',
            lambda: not Port.objects.filter(pk=op).exists(),
        ),
        "setPortDatasets": (
            f'mutation {{ setPortDatasets(id: "{op}", datasets: [{{namespace: "postgres://wh:5432", name: "shop.public.orders"}}]) {{ port {{ datasets {{ totalCount }} }} errors {{ field code message }} }} }}',
            lambda: Port.objects.get(pk=op).datasets.exists(),
        ),
        "linkInputPort": (
            f'mutation {{ linkInputPort(inputPort: "{mesh.orders_input.pk}", outputPort: "{mesh.leads_port.pk}") {{ port {{ upstreamPort {{ name }} }} errors {{ field code message }} }} }}',
            lambda: Port.objects.get(pk=mesh.orders_input.pk).upstream_port_id == mesh.leads_port.pk,
        ),
        "createSampleQuery": (
            f'mutation {{ createSampleQuery(port: "{op}", title: "Recent orders", sql: "select 1 as one") {{ sampleQuery {{ title }} errors {{ field code message }} }} }}',
            lambda: SampleQuery.objects.filter(title="Recent orders").exists(),
        ),
        "updateSampleQuery": (
            f'mutation {{ updateSampleQuery(id: "{mesh.sample.pk}", title: "Renamed") {{ sampleQuery {{ title }} errors {{ field code message }} }} }}',
            lambda: SampleQuery.objects.get(pk=mesh.sample.pk).title == "Renamed",
        ),
        "deleteSampleQuery": (
            f'mutation {{ deleteSampleQuery(id: "{mesh.sample.pk}") {{ deletedId errors {{ field code message }} }} }}',
            lambda: not SampleQuery.objects.filter(pk=mesh.sample.pk).exists(),
        ),
        "requestAccess": (
            f'mutation {{ requestAccess(port: "{op}", reason: "Quarterly revenue report") {{ accessRequest {{ id }} errors {{ field code message }} }} }}',
            lambda: AccessRequest.objects.filter(reason="Quarterly revenue report").exists(),
        ),
        "approveAccessRequest": (
            f'mutation {{ approveAccessRequest(id: "{mesh.access_request.pk}") {{ grant {{ id }} errors {{ field code message }} }} }}',
            lambda: AccessRequest.objects.get(pk=mesh.access_request.pk).status == "approved",
        ),
        "denyAccessRequest": (
            f'mutation {{ denyAccessRequest(id: "{mesh.access_request.pk}", comment: "Use the aggregate port") {{ errors {{ field code message }} }} }}',
            lambda: AccessRequest.objects.get(pk=mesh.access_request.pk).status == "denied",
        ),
    }[name]


ALLOWED = {
    "createProduct": {"domain_owner", "admin"},
    "updateProduct": PRODUCT_EDITORS,
    "addOwner": PRODUCT_EDITORS,
    "removeOwner": PRODUCT_EDITORS,
    "createPort": PRODUCT_EDITORS,
    "updatePort": PRODUCT_EDITORS,
    "deletePort": PRODUCT_EDITORS,
    "setPortDatasets": PRODUCT_EDITORS,
    "linkInputPort": PRODUCT_EDITORS,
    "createSampleQuery": PRODUCT_EDITORS,
    "updateSampleQuery": PRODUCT_EDITORS,
    "deleteSampleQuery": PRODUCT_EDITORS,
    "requestAccess": {"consumer", "other_owner", "owner", "domain_owner", "admin"},
    "approveAccessRequest": PRODUCT_EDITORS,
    "denyAccessRequest": PRODUCT_EDITORS,
}


@pytest.fixture
def mutation_mesh(mesh):
    actions.register_dataset(SYSTEM, namespace="postgres://wh:5432", name="shop.public.orders", platform="postgres")
    mesh.orders_input = actions.create_port(SYSTEM, mesh.orders, name="leads_in", direction="input")
    mesh.sample = create_sample_query(SYSTEM, mesh.orders_port, title="Count", sql="select 2 as two")
    mesh.access_request = request_access(make_user("rita"), mesh.orders_port, reason="Joining leads with orders")
    return mesh


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_mutation_permission_matrix(mutation_mesh, as_role, name, role):
    document, happened = _mutation(mutation_mesh, name)
    response = as_role(role).post(document)
    if role == "anonymous":
        assert response.status_code == 401 and response.json()["errors"][0]["extensions"]["code"] == "not_authenticated"
        assert not happened()
        return
    body = response.json()
    assert "errors" not in body, body
    errors = body["data"][name]["errors"]
    if role in ALLOWED[name]:
        assert errors == [] and happened()
    else:
        assert [e["code"] for e in errors] == ["permission_denied"] and not happened()


def test_with_public_read_anonymous_reads_but_cannot_write(mesh, as_role, settings):
    settings.MESH_PUBLIC_READ = True
    client = as_role("anonymous")
    assert client('{ dataProduct(slug: "orders") { name } }')["dataProduct"]["name"] == "Orders"
    data = client('mutation { updateProduct(slug: "orders", input: {summary: "x"}) { errors { code } } }')
    assert data["updateProduct"]["errors"] == [{"code": "not_authenticated"}]
    assert DataProduct.objects.get(slug="orders").summary == ""


def test_mutation_returns_typed_errors_instead_of_raising(mesh, as_role):
    client = as_role("owner")
    data = client(
        'mutation { updateProduct(slug: "orders", input: {lifecycle: "imaginary"}) { product { slug } errors { field code message } } }'
    )
    assert data["updateProduct"]["product"] is None
    assert data["updateProduct"]["errors"][0]["field"] == "lifecycle"
    data = client('mutation { updateProduct(slug: "nope", input: {summary: "x"}) { errors { field code } } }')
    assert data["updateProduct"]["errors"] == [{"field": "slug", "code": "not_found"}]
    data = client(
        f'mutation {{ createPort(product: "orders", input: {{name: "x", direction: "input", upstreamPort: "{mesh.orders_port.pk}"}}) {{ errors {{ field code }} }} }}'
    )
    assert data["createPort"]["errors"] == [{"field": "upstream_port", "code": "self_consumption"}]


def test_stale_revision_is_a_conflict_listing_the_changes(mesh, as_role):
    client = as_role("owner")
    revision = client('{ dataProduct(slug: "orders") { revision } }')["dataProduct"]["revision"]
    actions.update_product(SYSTEM, mesh.orders, summary="theirs")
    data = client(
        'mutation($r: Int) { updateProduct(slug: "orders", expectedRevision: $r, input: {summary: "mine"}) { product { summary } errors { code changes } } }',
        {"r": revision},
    )
    error = data["updateProduct"]["errors"][0]
    assert error["code"] == "conflict"
    assert '"summary": ["", "theirs"]' in error["changes"]
    assert DataProduct.objects.get(slug="orders").summary == "theirs"


def test_mutations_are_recorded_as_graphql_in_the_history(mesh, as_role):
    client = as_role("owner")
    client('mutation { updateProduct(slug: "orders", input: {description: "Docs"}) { errors { code } } }')
    assert ObjectChange.objects.filter(object_id=mesh.orders.pk, via="graphql").exists()
    history = client(
        '{ dataProduct(slug: "orders") { history(first: 5) { totalCount edges { node { via actor changedFields } } } } }'
    )
    latest = history["dataProduct"]["history"]["edges"][0]["node"]
    assert latest["via"] == "graphql" and latest["actor"] == "olivia" and "description" in latest["changedFields"]
