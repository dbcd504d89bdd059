"""Personal access tokens: shown once, stored hashed, usable as Bearer, revocable, expiring."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from apps.core.actions import create_token, revoke_token
from apps.core.errors import ActionError, PermissionDeniedError
from apps.core.models import ObjectChange, PersonalAccessToken
from apps.core.models.token import hash_token
from apps.core.testing import make_user

pytestmark = pytest.mark.django_db


def _get_products(raw):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client.get("/api/v1/products/")


def test_token_is_stored_only_as_its_hash():
    user = make_user("tia")
    token, raw = create_token(user, name="ci", expires_days=30)
    assert raw.startswith("mesh_") and len(raw) > 40
    stored = PersonalAccessToken.objects.get(pk=token.pk)
    assert stored.token_hash == hash_token(raw) and raw not in stored.token_hash
    assert raw.startswith(stored.prefix) and len(stored.prefix) < 16
    assert timedelta(days=29) < stored.expires_at - timezone.now() <= timedelta(days=30)
    assert ObjectChange.objects.filter(object_id=token.pk, via="web", action="create").exists()


def test_bearer_token_authenticates_rest_and_records_last_use():
    user = make_user("tia")
    token, raw = create_token(user, name="ci")
    assert _get_products(raw).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("problem", ["unknown", "revoked", "expired"])
def test_unusable_token_is_refused_with_401(problem):
    user = make_user("tia")
    token, raw = create_token(user, name="ci")
    if problem == "unknown":
        raw = raw + "x"
    elif problem == "revoked":
        revoke_token(user, token)
    else:
        PersonalAccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _get_products(raw)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "authentication_failed"


def test_only_the_owner_or_an_admin_revokes_a_token():
    user, other, admin = make_user("tia"), make_user("tom"), make_user("root", superuser=True)
    token, _ = create_token(user, name="ci")
    with pytest.raises(PermissionDeniedError):
        revoke_token(other, token)
    revoke_token(admin, token)
    token.refresh_from_db()
    assert token.revoked_at is not None and not token.is_active


def test_token_needs_a_name_and_a_sane_expiry():
    user = make_user("tia")
    with pytest.raises(ActionError) as exc:
        create_token(user, name="  ")
    assert exc.value.as_dicts()[0]["field"] == "name"
    with pytest.raises(ActionError) as exc:
        create_token(user, name="x", expires_days=0)
    assert exc.value.as_dicts()[0]["field"] == "expires_days"
    assert not PersonalAccessToken.objects.exists()


def test_create_token_command_prints_a_working_token_once():
    make_user("tia")
    out, err = StringIO(), StringIO()
    call_command("create_token", "tia", "--name", "deploy", "--expires-days", "7", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert "not shown again" in err.getvalue()
    assert PersonalAccessToken.objects.get(name="deploy").expires_at is not None
    assert _get_products(raw).status_code == 200


def test_token_requests_need_no_csrf_but_session_writes_do(settings):
    from apps.catalog.testing import make_mesh

    mesh = make_mesh()
    _, raw = create_token(mesh.owner, name="ci")
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.patch("/api/v1/products/orders/", {"summary": "via token"}, format="json").status_code == 200
    session = APIClient(enforce_csrf_checks=True)
    session.force_login(mesh.owner)
    assert session.patch("/api/v1/products/orders/", {"summary": "via session"}, format="json").status_code == 403
