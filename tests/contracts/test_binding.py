"""Binding a contract to an output port through the product descriptor's ``contractId``."""

import pytest

from apps.catalog.descriptors import apply_descriptor
from apps.contracts import actions
from apps.contracts.models import Contract

pytestmark = pytest.mark.django_db

DESCRIPTOR = """apiVersion: v1.0.0
kind: DataProduct
id: refunds
name: Refunds
domain: emea
status: active
outputPorts:
  - name: refunds_api
    type: rest
    endpoint: https://api.example.com/refunds
    contractId: refunds-contract
"""
CONTRACT = """apiVersion: v3.1.0
kind: DataContract
id: refunds-contract
version: 1.0.0
status: active
schema:
  - name: refunds
    properties:
      - name: id
        logicalType: integer
        required: true
"""


def test_descriptor_contract_id_binds_the_port_and_a_later_contract_needs_no_port(mesh):
    apply_descriptor(mesh.domain_owner, DESCRIPTOR, via="test")
    contract = Contract.objects.get(odcs_id="refunds-contract")
    assert (contract.port.product.slug, contract.port.name) == ("refunds", "refunds_api")
    result = actions.submit_contract(mesh.domain_owner, CONTRACT, via="test")
    assert result.version.version == "1.0.0" and result.contract.port_id == contract.port_id
    apply_descriptor(mesh.domain_owner, DESCRIPTOR, via="test")  # applying again changes nothing
    assert Contract.objects.count() == 1


def test_a_dry_run_of_the_descriptor_binds_nothing(mesh):
    apply_descriptor(mesh.domain_owner, DESCRIPTOR, dry_run=True, via="test")
    assert not Contract.objects.exists()
