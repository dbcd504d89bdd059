"""CI uploads artifacts through the REST API; a new set replaces the previous one atomically."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from apps.catalog.models import Dataset
from apps.core.actions import create_token
from apps.core.testing import SYSTEM, make_user
from apps.harvest.actions import create_source
from apps.harvest.models import HarvestRun
from apps.harvest.uploads import current_artifacts_dir, source_dir
from tests.harvest.dbt.conftest import COMMITTED, NAMESPACE

pytestmark = pytest.mark.django_db
URL = "/api/v1/sources/shop-dbt/dbt-artifacts"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.DBT_UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture
def source(db):
    return create_source(SYSTEM, name="shop-dbt", kind="dbt", config={"warehouse_namespace": NAMESPACE}, via="tests")


def client_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        _, raw = create_token(user, name="ci")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def artifact_files(directory, names=("manifest.json", "catalog.json", "run_results.json", "sources.json")) -> dict:
    return {
        name: SimpleUploadedFile(name, (directory / name).read_bytes(), content_type="application/json")
        for name in names
    }


def test_admin_upload_stores_the_set_and_harvests_it(dbt_artifacts, source, django_capture_on_commit_callbacks):
    admin = make_user("platform", superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(admin).post(URL, artifact_files(dbt_artifacts), format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["files"] == {"manifest.json": 12, "catalog.json": 1, "run_results.json": 6, "sources.json": 3}
    run = HarvestRun.objects.get(pk=body["run"])
    assert run.status == "succeeded" and run.triggered_by == "upload"
    assert Dataset.objects.filter(namespace=NAMESPACE, source_links__source=source).count() == 16


def test_broken_upload_is_refused_and_the_previous_set_stays_current(source):
    admin = make_user("platform", superuser=True)
    ok = client_as(admin).post(
        f"{URL}?harvest=false", artifact_files(COMMITTED / "demo", ["manifest.json"]), format="multipart"
    )
    assert ok.status_code == 201 and ok.json()["run"] is None
    current = current_artifacts_dir("shop-dbt")
    broken = client_as(admin).post(
        f"{URL}?harvest=false", artifact_files(COMMITTED / "truncated", ["manifest.json"]), format="multipart"
    )
    assert broken.status_code == 400
    [error] = broken.json()["errors"]
    assert (
        error["field"] == "manifest.json"
        and error["code"] == "invalid_artifact"
        and "not valid JSON" in error["message"]
    )
    assert current_artifacts_dir("shop-dbt") == current and (current / "manifest.json").is_file()
    assert len(list((source_dir("shop-dbt") / "sets").iterdir())) == 1  # the refused set left nothing behind


def test_new_set_replaces_the_previous_one_and_old_sets_are_removed(source):
    admin = make_user("platform", superuser=True)
    seen = []
    for _ in range(3):
        response = client_as(admin).post(
            f"{URL}?harvest=false",
            artifact_files(COMMITTED / "demo", ["manifest.json", "catalog.json"]),
            format="multipart",
        )
        assert response.status_code == 201
        seen.append(current_artifacts_dir("shop-dbt"))
    assert len(set(seen)) == 3
    remaining = sorted(p.resolve() for p in (source_dir("shop-dbt") / "sets").iterdir())
    assert remaining == sorted([seen[1], seen[2]])  # the current set and the one a running harvest may still read
    assert sorted(p.name for p in seen[2].iterdir()) == ["catalog.json", "manifest.json"]


def test_only_users_who_manage_sources_may_upload(source):
    files = artifact_files(COMMITTED / "demo", ["manifest.json"])
    assert client_as(None).post(URL, files, format="multipart").status_code in (401, 403)
    response = client_as(make_user("casey")).post(
        URL, artifact_files(COMMITTED / "demo", ["manifest.json"]), format="multipart"
    )
    assert response.status_code == 403
    assert current_artifacts_dir("shop-dbt") is None


def test_upload_to_a_source_that_reads_a_path_is_refused(db):
    create_source(
        SYSTEM,
        name="shop-dbt",
        kind="dbt",
        config={"warehouse_namespace": NAMESPACE, "path": str(COMMITTED / "demo")},
        via="tests",
    )
    response = client_as(make_user("platform", superuser=True)).post(
        URL, artifact_files(COMMITTED / "demo", ["manifest.json"]), format="multipart"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "reads_from_path"


def test_harvest_without_path_or_upload_fails_with_a_clear_reason(source):
    from apps.harvest.actions import trigger_harvest

    run = trigger_harvest(SYSTEM, source, run_async=False)
    assert run.status == "failed" and "no artifacts were uploaded for source 'shop-dbt'" in run.errors[0]["message"]


def test_upload_while_a_harvest_runs_is_stored_for_the_next_run(source):
    HarvestRun.objects.create(source=source, status="running", triggered_by="schedule")
    response = client_as(make_user("platform", superuser=True)).post(
        URL, artifact_files(COMMITTED / "demo", ["manifest.json"]), format="multipart"
    )
    assert response.status_code == 201 and response.json()["run"] is None
    assert (current_artifacts_dir("shop-dbt") / "manifest.json").is_file()
