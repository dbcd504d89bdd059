"""The profile: my products, my teams, my tokens (shown once, revocable)."""

import pytest
from django.urls import reverse

from apps.core.models import PersonalAccessToken
from apps.core.testing import make_user

pytestmark = pytest.mark.django_db


def test_profile_lists_editable_products_and_teams(client, mesh):
    client.force_login(mesh.domain_owner)
    html = client.get(reverse("profile")).content.decode()
    assert "Orders" in html and "Leads" not in html  # dora owns the sales domain, not marketing


def test_token_is_shown_once_and_can_be_revoked(client, mesh):
    client.force_login(mesh.owner)
    response = client.post(reverse("token_create"), {"name": "ci", "expires_days": "30"})
    html = response.content.decode()
    token = PersonalAccessToken.objects.get(user=mesh.owner)
    assert "Copy your new token now" in html and token.prefix in html
    raw = html.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert raw.startswith(token.prefix) and len(raw) > 30
    assert raw not in client.get(reverse("profile")).content.decode()  # never again
    client.post(reverse("token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_errors_are_explained(client, mesh):
    client.force_login(mesh.owner)
    response = client.post(reverse("token_create"), {"name": "", "expires_days": "abc"})
    assert response.status_code == 422 and "Expiry must be a number" in response.content.decode()
    assert not PersonalAccessToken.objects.exists()


def test_someone_elses_token_cannot_be_revoked(client, mesh):
    client.force_login(mesh.owner)
    client.post(reverse("token_create"), {"name": "mine"})
    token = PersonalAccessToken.objects.get(user=mesh.owner)
    client.force_login(make_user("mallory"))
    assert client.post(reverse("token_revoke", args=[token.pk])).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
