"""A real Glue endpoint for the glue harvester's tests: moto's HTTP server on 127.0.0.1.

The catalog in ``fixtures/glue/catalog.yaml`` is written into it through boto3, exactly
as a client would. Fake credentials are set for the test only (``monkeypatch``).
"""

import logging
import urllib.request
from pathlib import Path

import boto3
import pytest
import yaml
from moto.server import ThreadedMotoServer

from apps.harvest.harvesters.glue import presto_view_text

REGION = "eu-west-1"
ACCOUNT = "123456789012"  # moto's account
NAMESPACE = f"arn:aws:glue:{REGION}:{ACCOUNT}"
CATALOG_FILE = Path(__file__).resolve().parents[3] / "fixtures" / "glue" / "catalog.yaml"


@pytest.fixture(autouse=True)
def aws_env(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")


@pytest.fixture
def moto_endpoint(aws_env):
    """URL of a fresh moto server (its state dies with it)."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per AWS call otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    _reset(url)  # moto keeps its backends per process: start every test from an empty catalog
    yield url
    _reset(url)
    server.stop()


def _reset(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10).read()


def glue_client(endpoint: str):
    return boto3.client("glue", endpoint_url=endpoint, region_name=REGION)


def load_catalog(endpoint: str, path: Path = CATALOG_FILE) -> dict:
    """Create the databases, tables, views and partitions of ``path`` through boto3."""
    spec = yaml.safe_load(path.read_text())
    glue = glue_client(endpoint)
    for database in spec["databases"]:
        glue.create_database(DatabaseInput={"Name": database["name"], "Description": database.get("description", "")})
        for table in database.get("tables", []):
            table = dict(table)
            partitions = table.pop("partitions", [])
            glue.create_table(DatabaseName=database["name"], TableInput=table)
            for value in partitions:
                glue.create_partition(
                    DatabaseName=database["name"],
                    TableName=table["Name"],
                    PartitionInput={
                        "Values": [value],
                        "StorageDescriptor": {"Location": f"{table['StorageDescriptor']['Location']}dt={value}/"},
                    },
                )
        for view in database.get("athena_views", []):
            glue.create_table(DatabaseName=database["name"], TableInput=athena_view_input(view, database["name"]))
    return spec


def athena_view_input(view: dict, database: str) -> dict:
    """A VIRTUAL_VIEW as Athena writes it (``CREATE VIEW`` through Athena)."""
    columns = [(n, t) for n, t in view["columns"]]
    return {
        "Name": view["name"],
        "Description": view.get("description", ""),
        "TableType": "VIRTUAL_VIEW",
        "Parameters": {"presto_view": "true", "comment": "Presto View"},
        "ViewOriginalText": presto_view_text(view["sql"], database, columns),
        "ViewExpandedText": "/* Presto View */",
        "StorageDescriptor": {"Columns": [{"Name": n, "Type": t} for n, t in columns], "SerdeInfo": {}},
    }


@pytest.fixture
def glue_catalog(moto_endpoint):
    load_catalog(moto_endpoint)
    return moto_endpoint
