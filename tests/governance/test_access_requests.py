"""Access requests: ask, decide, expire, revoke — each step in history, checked by the runner."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.catalog import actions as catalog_actions
from apps.catalog.testing import make_mesh
from apps.core.errors import ActionError, PermissionDeniedError
from apps.core.history import history_for
from apps.core.testing import SYSTEM
from apps.governance import actions
from apps.governance.access import has_active_grant, query_access
from apps.governance.models import AccessStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def mesh():
    mesh = make_mesh()
    catalog_actions.update_product(SYSTEM, mesh.orders, classification="confidential")
    mesh.orders.refresh_from_db()
    mesh.port = catalog_actions.create_port(
        SYSTEM, mesh.orders, name="orders-tables", direction="output", protocol="postgres"
    )
    return mesh


REASON = "Churn analysis for the Q3 board deck."


def test_confidential_port_needs_a_grant_until_an_owner_approves(mesh):
    assert not query_access(mesh.consumer, mesh.port).allowed
    req = actions.request_access(mesh.consumer, mesh.port, reason=REASON)
    assert req.status == AccessStatus.PENDING and not query_access(mesh.consumer, mesh.port).allowed
    grant = actions.approve_request(mesh.owner, req, comment="Go ahead")
    req.refresh_from_db()
    assert req.status == AccessStatus.APPROVED and req.decided_by == mesh.owner and req.decision_comment == "Go ahead"
    assert grant.is_active and query_access(mesh.consumer, mesh.port).allowed


def test_owners_query_their_own_confidential_port_without_a_grant(mesh):
    assert query_access(mesh.owner, mesh.port).allowed
    assert query_access(mesh.domain_owner, mesh.port).allowed
    assert not query_access(mesh.other_owner, mesh.port).allowed


def test_expired_grant_no_longer_allows_queries(mesh):
    req = actions.request_access(
        mesh.consumer, mesh.port, reason=REASON, requested_until=timezone.now() + timedelta(days=1)
    )
    grant = actions.approve_request(mesh.owner, req)
    assert grant.expires_at == req.requested_until and has_active_grant(mesh.consumer, mesh.port)
    type(grant).objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not has_active_grant(mesh.consumer, mesh.port)
    assert not query_access(mesh.consumer, mesh.port).allowed


def test_denial_needs_a_comment_and_the_requester_sees_it(mesh):
    req = actions.request_access(mesh.consumer, mesh.port, reason=REASON)
    with pytest.raises(ActionError) as err:
        actions.deny_request(mesh.owner, req, comment="  ")
    assert err.value.errors[0][0] == "comment"
    actions.deny_request(mesh.owner, req, comment="Use the aggregated product instead.")
    mine = mesh.consumer.access_requests.get()
    assert mine.status == AccessStatus.DENIED and mine.decision_comment == "Use the aggregated product instead."
    assert not query_access(mesh.consumer, mesh.port).allowed


def test_only_the_products_editors_decide(mesh):
    req = actions.request_access(mesh.consumer, mesh.port, reason=REASON)
    for outsider in (mesh.consumer, mesh.other_owner):
        with pytest.raises(PermissionDeniedError):
            actions.approve_request(outsider, req)
    actions.approve_request(mesh.domain_owner, req)


def test_a_decided_request_cannot_be_decided_again(mesh):
    req = actions.request_access(mesh.consumer, mesh.port, reason=REASON)
    actions.approve_request(mesh.owner, req)
    with pytest.raises(ActionError) as err:
        actions.deny_request(mesh.owner, req, comment="changed my mind")
    assert err.value.errors[0][1] == "already_decided"


def test_one_pending_request_per_port_and_a_reason_is_required(mesh):
    with pytest.raises(ActionError) as err:
        actions.request_access(mesh.consumer, mesh.port, reason="pls")
    assert err.value.errors[0][0] == "reason"
    actions.request_access(mesh.consumer, mesh.port, reason=REASON)
    with pytest.raises(ActionError) as err:
        actions.request_access(mesh.consumer, mesh.port, reason=REASON)
    assert err.value.errors[0][1] == "duplicate"


def test_anonymous_cannot_request(mesh):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDeniedError):
        actions.request_access(AnonymousUser(), mesh.port, reason=REASON)


def test_revoked_grant_stops_access_and_reapproval_renews_it(mesh):
    grant = actions.approve_request(mesh.owner, actions.request_access(mesh.consumer, mesh.port, reason=REASON))
    actions.revoke_grant(mesh.owner, grant)
    assert not query_access(mesh.consumer, mesh.port).allowed
    renewed = actions.approve_request(mesh.owner, actions.request_access(mesh.consumer, mesh.port, reason=REASON))
    assert renewed.pk == grant.pk and renewed.revoked_at is None and query_access(mesh.consumer, mesh.port).allowed


def test_every_step_is_in_the_products_history(mesh):
    req = actions.request_access(mesh.consumer, mesh.port, reason=REASON)
    grant = actions.approve_request(mesh.owner, req, comment="ok")
    actions.revoke_grant(mesh.owner, grant)
    entries = [(c.content_type.model, c.action, c.actor_label) for c in history_for(mesh.orders)]
    assert ("accessrequest", "create", "casey") in entries
    assert ("accessrequest", "update", "olivia") in entries
    assert ("accessgrant", "create", "olivia") in entries
    assert ("accessgrant", "update", "olivia") in entries
