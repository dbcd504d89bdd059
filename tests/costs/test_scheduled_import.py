"""The scheduled task imports new billing files from a folder and from S3 (moto's HTTP server), once."""

import logging
import urllib.request

import boto3
import pytest
from moto.server import ThreadedMotoServer

from apps.costs.models import CostImport, CostLine
from apps.costs.samples import csv_text
from apps.costs.tasks import import_configured


@pytest.fixture
def s3_endpoint(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=10).read()
    monkeypatch.setenv("MESH_COST_S3_ENDPOINT_URL", url)
    yield url
    server.stop()


def test_folder_import_is_idempotent_and_names_the_source_by_folder(mesh, lines, tmp_path):
    (tmp_path / "aws-main").mkdir()
    (tmp_path / "aws-main" / "2026-11-focus.csv").write_text(csv_text(lines, "focus"))
    (tmp_path / "aws-main" / "cur.csv").write_text(csv_text(lines[:40], "cur"))
    (tmp_path / "aws-main" / "notes.csv").write_text("hello,world\n1,2\n")
    first = import_configured(str(tmp_path))
    assert len(first) == 2
    assert CostLine.objects.filter(source_name="aws-main").count() > 0
    assert import_configured(str(tmp_path)) == []  # nothing new: nothing imported twice


def test_s3_prefix_import(mesh, lines, s3_endpoint, settings):
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-1")
    s3.create_bucket(Bucket="billing", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_object(Bucket="billing", Key="exports/aws-main/focus-2026-11.csv", Body=csv_text(lines, "focus").encode())
    s3.put_object(Bucket="billing", Key="other/ignored.csv", Body=b"x")
    settings.MESH_COST_IMPORT_URI = "s3://billing/exports/"
    ids = import_configured()
    assert len(ids) == 1
    imported = CostImport.objects.get(pk=ids[0])
    assert imported.status == "succeeded" and imported.source_name == "aws-main"
    assert imported.line_count == len(lines)
    assert import_configured() == []
