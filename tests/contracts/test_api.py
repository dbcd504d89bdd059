"""``GET|PUT /api/v1/contracts/<id>``: YAML or JSON in, the original YAML out, clear errors."""

import pytest
from rest_framework.test import APIClient

from apps.catalog.models import Dataset
from apps.contracts.models import Contract, ContractVersion, ImpactReport
from apps.core.actions import create_token
from tests.contracts.conftest import contract_yaml

pytestmark = pytest.mark.django_db


def client(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {create_token(user, name='ci')[1]}")
    return api


def put(api, text, cid="orders-customers", **query):
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return api.put(f"/api/v1/contracts/{cid}" + (f"?{qs}" if qs else ""), text, content_type="application/yaml")


def test_put_then_get_returns_the_same_bytes(mesh, port):
    text = contract_yaml(Dataset.objects.get(short_name="customers"))
    owner = client(mesh.owner)
    response = put(owner, text, port="orders/customers")
    assert response.status_code == 201, response.content
    assert response.json()["version"] == "1.0.0"
    got = owner.get("/api/v1/contracts/orders-customers?format=yaml")
    assert got.status_code == 200 and got.content.decode() == text
    assert got["Content-Type"].startswith("application/yaml")
    body = owner.get("/api/v1/contracts/orders-customers").json()
    assert body["port"] == "orders/customers" and body["document"]["schema"][0]["name"] == "customers"
    again = put(owner, text)
    assert again.status_code == 200 and again.json()["unchanged"] is True


def test_status_moves_and_export_changes_only_the_status_value(mesh, port):
    text = contract_yaml(Dataset.objects.get(short_name="customers"), status="proposed")
    owner = client(mesh.owner)
    assert put(owner, text, port="orders/customers").status_code == 201
    response = owner.post(
        "/api/v1/contracts/orders-customers/versions/1.0.0/status", {"status": "active"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "active"
    exported = owner.get("/api/v1/contracts/orders-customers?format=yaml").content.decode()
    assert exported == text.replace("status: proposed", "status: active")
    bad = owner.post("/api/v1/contracts/orders-customers/versions/1.0.0/status", {"status": "draft"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "invalid_transition"


@pytest.mark.parametrize(
    "mutate, code, line",
    [
        (lambda t: t.replace("  - name: customers\n", "  - name: [customers\n"), "invalid_yaml", 16),
        (lambda t: t.replace("logicalType: integer", "logicalType: int64"), "unknown_value", 20),
        (lambda t: t.replace("version: 1.0.0", "version: one"), "invalid_version", 5),
    ],
)
def test_invalid_contracts_are_refused_with_line_and_column_and_nothing_written(mesh, port, mutate, code, line):
    text = mutate(contract_yaml(Dataset.objects.get(short_name="customers")))
    response = put(client(mesh.owner), text, port="orders/customers")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0]["code"] == code and errors[0]["line"] == line and errors[0]["column"]
    assert Contract.objects.count() == 0 and ContractVersion.objects.count() == 0


def test_unknown_port_and_unbound_contract_are_404(mesh, port):
    text = contract_yaml(Dataset.objects.get(short_name="customers"))
    owner = client(mesh.owner)
    assert put(owner, text, port="orders/nope").json()["errors"][0]["code"] == "unknown_port"
    response = put(owner, text)
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "unknown_port"
    assert Contract.objects.count() == 0


def test_server_that_does_not_match_the_port_is_refused(mesh, port):
    text = contract_yaml(Dataset.objects.get(short_name="customers")).replace("host: ", "host: elsewhere.example.")
    response = put(client(mesh.owner), text, port="orders/customers")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "server_mismatch"
    assert Contract.objects.count() == 0


def test_version_downgrade_and_major_change_without_bump_are_refused(mesh, port):
    customers = Dataset.objects.get(short_name="customers")
    owner = client(mesh.owner)
    assert put(owner, contract_yaml(customers, version="1.2.0"), port="orders/customers").status_code == 201
    created_at = "      - name: created_at\n        logicalType: timestamp\n"
    down = put(owner, contract_yaml(customers, version="1.1.0", extra_props=created_at))
    assert down.status_code == 400 and down.json()["errors"][0]["code"] == "version_downgrade"
    narrowed = contract_yaml(customers, version="1.3.0", email_type="varchar(50)")
    refused = put(owner, narrowed)
    assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "major_bump_required"
    assert "type narrowed: customers.email" in refused.json()["errors"][0]["message"]
    minor = put(owner, contract_yaml(customers, version="1.3.0", extra_props=created_at))
    assert minor.status_code == 201 and minor.json()["level"] == "minor" and not minor.json()["breaking"]
    assert list(ContractVersion.objects.order_by("major", "minor").values_list("version", "status")) == [
        ("1.2.0", "deprecated"),
        ("1.3.0", "active"),
    ]


def test_a_breaking_proposal_with_a_major_bump_writes_an_impact_report(mesh, port):
    customers = Dataset.objects.get(short_name="customers")
    owner = client(mesh.owner)
    put(owner, contract_yaml(customers), port="orders/customers")
    preview = put(
        owner, contract_yaml(customers, version="2.0.0", status="proposed", email_type="varchar(50)"), dry_run=1
    )
    assert preview.status_code == 200 and preview.json()["breaking"] and preview.json()["dry_run"]
    assert ImpactReport.objects.count() == 0 and ContractVersion.objects.count() == 1
    applied = put(owner, contract_yaml(customers, version="2.0.0", status="proposed", email_type="varchar(50)"))
    assert applied.status_code == 201 and applied.json()["impact"] is not None
    report = ImpactReport.objects.get()
    assert report.trigger == "proposal" and report.changes[0]["kind"] == "type_narrowed"


def test_only_owners_submit_and_anonymous_reads_are_refused_in_json(mesh, port):
    text = contract_yaml(Dataset.objects.get(short_name="customers"))
    response = put(client(mesh.consumer), text, port="orders/customers")
    assert response.status_code == 403 and response.json()["errors"][0]["code"] == "permission_denied"
    assert client().get("/api/v1/contracts/nope").status_code in (401, 403, 404)
    assert client(mesh.consumer).get("/api/v1/contracts/nope").json()["errors"][0]["code"] == "not_found"


def test_checks_endpoint_lists_runs_with_few_queries(mesh, port, source, django_assert_max_num_queries):
    from tests.contracts.conftest import harvest

    owner = client(mesh.owner)
    put(owner, contract_yaml(Dataset.objects.get(short_name="customers")), port="orders/customers")
    for _ in range(3):
        harvest(source)
    with django_assert_max_num_queries(8):
        response = owner.get("/api/v1/contracts/orders-customers/checks/")
    assert response.status_code == 200
    assert response.json()["count"] == 3 and response.json()["results"][0]["verdict"] == "met"


def test_draft_from_harvest_is_a_valid_contract_that_meets_itself(mesh, port, source):
    from apps.contracts import odcs
    from apps.contracts.models import CheckRun
    from tests.contracts.conftest import harvest

    owner = client(mesh.owner)
    draft = owner.get("/api/v1/contracts/draft/orders/customers", HTTP_ACCEPT="application/yaml")
    assert draft.status_code == 200
    text = draft.content.decode()
    parsed = odcs.parse(text)
    assert parsed.ok, parsed.problems
    props = {p["name"]: p for p in parsed.data["schema"][0]["properties"]}
    assert props["id"]["primaryKey"] and props["email"]["required"] and props["email"]["unique"]
    assert "required" not in props["name"]
    response = put(
        owner, text.replace("status: draft", "status: active"), cid=parsed.contract_id, port="orders/customers"
    )
    assert response.status_code == 201, response.content
    harvest(source)
    assert CheckRun.objects.get().verdict == "met"
