"""Contracts through GraphQL (the root schema): submit, read versions and checks, typed errors."""

import pytest
from django.test import RequestFactory

from apps.catalog.models import Dataset
from mesh_catalog.graphql.schema import schema
from tests.contracts.conftest import contract_yaml, harvest

pytestmark = pytest.mark.django_db

SUBMIT = """mutation($text: String!, $port: String, $dry: Boolean) {
  submitContract(text: $text, port: $port, dryRun: $dry) { errors { field code message } result
    contract { odcsId port activeVersion { version status yaml } } } }"""
READ = """query { contracts(product: "orders") { odcsId versions { version status level }
  checks(first: 5) { verdict metCount violatedCount clauses } } }"""


def run(user, query, **variables):
    request = RequestFactory().post("/graphql")
    request.user = user
    result = schema.execute(query, context_value=request, variable_values=variables)
    assert result.errors is None, result.errors
    return result.data


def test_submit_read_and_check_through_graphql(mesh, port, source, django_assert_max_num_queries):
    text = contract_yaml(Dataset.objects.get(short_name="customers"))
    data = run(mesh.owner, SUBMIT, text=text, port="orders/customers")["submitContract"]
    assert data["errors"] == []
    assert data["contract"]["activeVersion"] == {"version": "1.0.0", "status": "active", "yaml": text}
    harvest(source)
    with django_assert_max_num_queries(6):
        contracts = run(mesh.consumer, READ)["contracts"]
    assert contracts[0]["versions"] == [{"version": "1.0.0", "status": "active", "level": ""}]
    assert contracts[0]["checks"][0]["verdict"] == "met"


def test_refusals_come_back_as_typed_errors(mesh, port):
    bad = contract_yaml(Dataset.objects.get(short_name="customers")).replace("kind: DataContract", "kind: Nope")
    errors = run(mesh.owner, SUBMIT, text=bad, port="orders/customers")["submitContract"]["errors"]
    assert errors and errors[0]["field"] == "kind"
    denied = run(
        mesh.consumer, SUBMIT, text=contract_yaml(Dataset.objects.get(short_name="customers")), port="orders/customers"
    )
    assert denied["submitContract"]["errors"][0]["code"] == "permission_denied"
