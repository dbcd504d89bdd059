"""Issue 12, item 7: dbt node shapes are validated before an upload replaces the current set.

The attacks: a node whose ``columns`` is a string was accepted (201), became the current
set, and every later harvest failed with ``AttributeError``; a node missing
``database/schema/name/resource_type`` was accepted silently; a 300 MB file was parsed.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.testing import SYSTEM, make_user
from apps.harvest.actions import create_source, trigger_harvest
from apps.harvest.uploads import current_artifacts_dir, source_dir
from tests.harvest.dbt.conftest import COMMITTED, NAMESPACE
from tests.harvest.dbt.test_dbt_upload import URL, client_as

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.DBT_UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture
def source(db):
    return create_source(SYSTEM, name="shop-dbt", kind="dbt", config={"warehouse_namespace": NAMESPACE}, via="tests")


def manifest() -> dict:
    return json.loads((COMMITTED / "demo" / "manifest.json").read_text())


def first_model(document: dict) -> str:
    return next(uid for uid, n in document["nodes"].items() if n.get("resource_type") == "model")


def upload(document: dict, **extra):
    files = {"manifest.json": SimpleUploadedFile("manifest.json", json.dumps(document).encode(), "application/json")}
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.filter(username="platform").first() or make_user("platform", superuser=True)
    return client_as(admin).post(f"{URL}?harvest=false", files, format="multipart")


def test_a_node_whose_columns_is_a_string_is_refused_and_the_previous_set_stays(source):
    assert upload(manifest()).status_code == 201
    current = current_artifacts_dir("shop-dbt")
    bad = manifest()
    uid = first_model(bad)
    bad["nodes"][uid]["columns"] = "id, name"
    response = upload(bad)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "manifest.json" and error["code"] == "invalid_artifact"
    assert f"{uid}: 'columns' is a string, not an object" in error["message"]
    assert current_artifacts_dir("shop-dbt") == current
    assert len(list((source_dir("shop-dbt") / "sets").iterdir())) == 1


@pytest.mark.parametrize("key", ["database", "schema", "name", "resource_type"])
def test_a_node_missing_its_relation_is_refused(source, key):
    bad = manifest()
    uid = first_model(bad)
    del bad["nodes"][uid][key]
    response = upload(bad)
    assert response.status_code == 400 and f"'{key}' is missing" in response.json()["errors"][0]["message"]
    assert current_artifacts_dir("shop-dbt") is None


def test_an_artifact_over_the_upload_limit_is_refused_before_parsing(source, settings):
    settings.MESH_MAX_UPLOAD_BYTES = 1000
    response = upload(manifest())
    assert response.status_code == 400 and "MESH_MAX_UPLOAD_BYTES" in response.json()["errors"][0]["message"]
    assert current_artifacts_dir("shop-dbt") is None


def test_harvest_skips_a_bad_node_with_a_warning_instead_of_failing(source, tmp_path):
    """A set stored before validation existed (or read from a path) still harvests."""
    bad = manifest()
    uid = first_model(bad)
    bad["nodes"][uid]["columns"] = "id, name"
    directory = tmp_path / "artifacts"
    directory.mkdir()
    (directory / "manifest.json").write_text(json.dumps(bad))
    path_source = create_source(
        SYSTEM,
        name="path-dbt",
        kind="dbt",
        config={"warehouse_namespace": NAMESPACE, "path": str(directory)},
        via="tests",
    )
    run = trigger_harvest(SYSTEM, path_source, run_async=False)
    run.refresh_from_db()
    assert run.status == "partial", (run.status, run.errors)
    assert any(w.get("code") == "dbt_bad_node" and uid in w.get("message", "") for w in run.warnings), run.warnings
    assert run.counts.get("datasets_created", 0) > 0 or run.counts
