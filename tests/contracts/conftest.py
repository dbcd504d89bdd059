"""A harvested PostgreSQL source whose output port has a contract, for the contracts tests."""

import pytest

from apps.catalog import actions as catalog_actions
from apps.catalog.models import Dataset
from apps.catalog.testing import make_mesh
from apps.core.testing import SYSTEM
from apps.harvest import actions as harvest_actions
from tests.harvest.pg_source import source_database


@pytest.fixture
def shop():
    with source_database() as (dsn, dbname, role):
        yield dsn, dbname, role


@pytest.fixture
def mesh(db):
    return make_mesh()


@pytest.fixture
def source(shop):
    return harvest_actions.create_source(SYSTEM, name="shop", kind="postgres", config={"dsn": shop[0]})


def harvest(source):
    return harvest_actions.trigger_harvest(SYSTEM, source, triggered_by="test", run_async=False)


@pytest.fixture
def port(mesh, source):
    """``orders/customers``: an output port on the harvested sales.customers table."""
    harvest(source)
    customers = Dataset.objects.get(short_name="customers")
    return catalog_actions.create_port(SYSTEM, mesh.orders, name="customers", direction="output", datasets=[customers])


def contract_yaml(
    dataset: Dataset,
    *,
    version="1.0.0",
    status="active",
    extra_props="",
    email_type="text",
    cid="orders-customers",
    server=True,
) -> str:
    host, _, pgport = dataset.namespace.removeprefix("postgres://").partition(":")
    database = dataset.name.split(".")[0]
    servers = (
        f"""servers:
  - server: shop
    type: postgres
    host: {host}
    port: {pgport}
    database: {database}
    schema: sales
"""
        if server
        else ""
    )
    return f"""apiVersion: v3.1.0
kind: DataContract
id: {cid}
name: Customers of the shop  # a comment the round trip keeps
version: {version}
status: {status}
{servers}schema:
  - name: customers
    physicalName: customers
    physicalType: table
    properties:
      - name: id
        logicalType: integer
        physicalType: bigint
        required: true
        primaryKey: true
      - name: email
        logicalType: string
        physicalType: {email_type}
        required: true
        unique: true
      - name: name
        logicalType: string
{extra_props}"""
