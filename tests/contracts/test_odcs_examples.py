"""The standard's own examples: valid against its JSON Schema, imported and exported byte for byte."""

from pathlib import Path

import pytest
from rest_framework.test import APIClient

from apps.catalog import actions as catalog_actions
from apps.contracts import odcs
from apps.core.actions import create_token
from apps.core.testing import SYSTEM

FIXTURES = Path(__file__).resolve().parents[2].parent.parent / "shared" / "fixtures" / "odcs"
if not FIXTURES.exists():
    FIXTURES = Path("/work/shared/fixtures/odcs")
EXAMPLES = sorted(FIXTURES.glob("*.odcs.yaml"))


def test_the_examples_are_there():
    assert len(EXAMPLES) == 4, f"expected the four ODCS examples in {FIXTURES}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_each_example_validates_against_the_official_schema(path):
    parsed = odcs.parse(path.read_text())
    assert parsed.ok, parsed.problems
    assert parsed.data["apiVersion"] in odcs.json_schema()["properties"]["apiVersion"]["enum"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_each_example_round_trips_losslessly_through_the_api(mesh, path):
    datasets = []
    if "servers:" in path.read_text():  # the full example names its PostgreSQL server
        datasets = [
            catalog_actions.register_dataset(
                SYSTEM,
                namespace="postgres://localhost:5432",
                name="pypl-edw.pp_access_views.tbl_1",
                platform="postgres",
            )
        ]
    catalog_actions.create_port(SYSTEM, mesh.orders, name="example", direction="output", datasets=datasets)
    text = path.read_text()
    contract_id = odcs.parse(text).contract_id
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {create_token(mesh.owner, name='t')[1]}")
    put = api.put(f"/api/v1/contracts/{contract_id}?port=orders/example", text, content_type="application/yaml")
    assert put.status_code == 201, put.content
    got = api.get(f"/api/v1/contracts/{contract_id}", HTTP_ACCEPT="application/yaml")
    assert got.status_code == 200 and got.content == path.read_bytes()
