"""CI uploads AsyncAPI documents through the REST API; a new set replaces the previous one atomically."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from apps.catalog.models import Dataset
from apps.core.actions import create_token
from apps.core.testing import SYSTEM, make_user
from apps.harvest.actions import create_source
from apps.harvest.asyncapi_uploads import current_documents_dir
from apps.harvest.models import HarvestRun

pytestmark = pytest.mark.django_db
URL = "/api/v1/sources/events/asyncapi-documents"
SHOP = Path(settings.BASE_DIR) / "fixtures" / "asyncapi" / "shop"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.ASYNCAPI_UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture
def source(db):
    return create_source(SYSTEM, name="events", kind="asyncapi", config={}, via="tests")


def client_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        _, raw = create_token(user, name="ci")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def shop_files(**replace) -> dict:
    files = {}
    for path in sorted(SHOP.rglob("*")):
        if path.is_file():
            name = str(path.relative_to(SHOP))
            files[name] = SimpleUploadedFile(name, replace.get(name, path.read_bytes()))
    return files


def test_admin_upload_stores_the_set_and_harvests_it(source, django_capture_on_commit_callbacks):
    admin = make_user("platform", superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(admin).post(URL, shop_files(), format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["documents"] == ["billing-service.yaml", "notifications-amqp.yaml", "orders-service.yaml"]
    assert body["channels"] == 6
    run = HarvestRun.objects.get(pk=body["run"])
    assert run.status == "succeeded" and run.triggered_by == "upload", run.errors
    assert Dataset.objects.filter(kind="topic").count() == 4
    # relative $refs into the uploaded schemas/ folder resolved
    assert Dataset.objects.get(name="shop.orders.placed.v1").columns.filter(name="lines.price.amount").exists()


def test_a_malformed_upload_is_refused_with_line_and_column_and_the_previous_set_stays(source):
    admin = make_user("platform", superuser=True)
    ok = client_as(admin).post(f"{URL}?harvest=false", shop_files(), format="multipart")
    assert ok.status_code == 201
    current = current_documents_dir("events")
    broken = (SHOP / "billing-service.yaml").read_bytes().replace(b"  title: Billing service", b"  title: [Billing")
    response = client_as(admin).post(URL, shop_files(**{"billing-service.yaml": broken}), format="multipart")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (
        error["field"] == "billing-service.yaml" and "4:" in error["message"] and "not valid YAML" in error["message"]
    )
    assert current_documents_dir("events") == current
    assert not HarvestRun.objects.exists()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"../escape.yaml": b"asyncapi: 3.0.0"}, "not a relative file name"),
        ({"notes.txt": b"hello"}, "only .yaml"),
        ({"schemas/only.avsc": b'{"type": "string"}'}, "no AsyncAPI document"),
    ],
)
def test_bad_uploads_are_refused(source, files, message):
    admin = make_user("platform", superuser=True)
    upload = {name: SimpleUploadedFile(name.rsplit("/", 1)[-1], content) for name, content in files.items()}
    response = client_as(admin).post(URL, upload, format="multipart")
    assert response.status_code == 400 and message in response.json()["errors"][0]["message"], response.json()
    assert current_documents_dir("events") is None


def test_only_admins_upload_and_only_to_asyncapi_sources(source):
    response = client_as(make_user("casey")).post(URL, shop_files(), format="multipart")
    assert response.status_code == 403 and "errors" in response.json()
    create_source(SYSTEM, name="lake", kind="asyncapi", config={"path": str(SHOP)}, via="tests")
    admin = make_user("platform", superuser=True)
    response = client_as(admin).post("/api/v1/sources/lake/asyncapi-documents", shop_files(), format="multipart")
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "reads_from_path"
    assert client_as(admin).post("/api/v1/sources/nope/asyncapi-documents", shop_files()).status_code == 404
