"""Writes of the access marketplace: request, approve, deny, withdraw, revoke.

Each checks permission (requesters act on their own requests; the product's editors
decide), validates, writes, records history on the product and notifies after commit.
"""

from django.db import transaction
from django.utils import timezone

from apps.catalog.models import Port, PortDirection
from apps.catalog.permissions import can_edit_product
from apps.core.errors import ActionError, PermissionDeniedError
from apps.core.writes import require, save_logged
from apps.governance.events import access_event
from apps.governance.models import AccessGrant, AccessRequest, AccessStatus


def _authenticated(actor) -> None:
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "pk", None) is None:
        raise PermissionDeniedError("Log in to request access.")


def request_access(actor, port: Port, *, reason: str, requested_until=None, via: str = "web") -> AccessRequest:
    """A consumer asks for access to an output port, saying why."""
    _authenticated(actor)
    if port.direction != PortDirection.OUTPUT:
        raise ActionError("Access is requested on an output port.", field="port", code="not_an_output_port")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ActionError(
            "Tell the owners what you need the data for (at least 10 characters).", field="reason", code="required"
        )
    if requested_until is not None and requested_until <= timezone.now():
        raise ActionError("The end date must be in the future.", field="requested_until", code="in_the_past")
    with transaction.atomic():
        if AccessRequest.objects.filter(port=port, requester=actor, status=AccessStatus.PENDING).exists():
            raise ActionError("You already have a pending request for this port.", field="port", code="duplicate")
        req = AccessRequest(port=port, requester=actor, reason=reason, requested_until=requested_until)
        req = save_logged(actor, req, via=via)
        access_event("requested", actor, port, user=actor, request=req, reason=reason)
        return req


def _decide(actor, request: AccessRequest, status: str, comment: str, via: str) -> AccessRequest:
    require(can_edit_product(actor, request.port.product), "Only the product's owners decide on access requests.")
    req = AccessRequest.objects.select_for_update().select_related("port__product").get(pk=request.pk)
    if req.status != AccessStatus.PENDING:
        raise ActionError(
            f"This request was already {req.get_status_display().lower()}.", field="status", code="already_decided"
        )
    before = req.history_snapshot()
    req.status = status
    req.decided_by = actor if getattr(actor, "pk", None) else None
    req.decided_at = timezone.now()
    req.decision_comment = (comment or "").strip()
    return save_logged(actor, req, via=via, before=before)


def approve_request(
    actor, request: AccessRequest, *, comment: str = "", expires_at=None, via: str = "web"
) -> AccessGrant:
    """Approve and grant (or renew the grant) until ``expires_at`` (default: what was asked)."""
    with transaction.atomic():
        req = _decide(actor, request, AccessStatus.APPROVED, comment, via)
        expires_at = expires_at if expires_at is not None else req.requested_until
        if expires_at is not None and expires_at <= timezone.now():
            raise ActionError("The grant must end in the future.", field="expires_at", code="in_the_past")
        grant = AccessGrant.objects.select_for_update().filter(port=req.port, user=req.requester).first()
        before = grant.history_snapshot() if grant else None
        grant = grant or AccessGrant(port=req.port, user=req.requester)
        grant.request, grant.granted_by, grant.expires_at, grant.revoked_at = req, req.decided_by, expires_at, None
        grant = save_logged(actor, grant, via=via, before=before)
        access_event(
            "approved",
            actor,
            req.port,
            user=req.requester,
            request=req,
            comment=req.decision_comment,
            expires_at=expires_at.isoformat() if expires_at else None,
        )
        return grant


def deny_request(actor, request: AccessRequest, *, comment: str, via: str = "web") -> AccessRequest:
    """Deny with a comment the requester will read."""
    if not (comment or "").strip():
        raise ActionError("Say why, so that the requester knows what to do next.", field="comment", code="required")
    with transaction.atomic():
        req = _decide(actor, request, AccessStatus.DENIED, comment, via)
        access_event("denied", actor, req.port, user=req.requester, request=req, comment=req.decision_comment)
        return req


def withdraw_request(actor, request: AccessRequest, *, via: str = "web") -> AccessRequest:
    if getattr(actor, "pk", None) != request.requester_id:
        raise PermissionDeniedError("Only the requester withdraws a request.")
    with transaction.atomic():
        req = AccessRequest.objects.select_for_update().select_related("port__product").get(pk=request.pk)
        if req.status != AccessStatus.PENDING:
            raise ActionError("Only a pending request can be withdrawn.", field="status", code="already_decided")
        before = req.history_snapshot()
        req.status = AccessStatus.WITHDRAWN
        req = save_logged(actor, req, via=via, before=before)
        access_event("withdrawn", actor, req.port, user=req.requester, request=req)
        return req


def revoke_grant(actor, grant: AccessGrant, *, via: str = "web") -> AccessGrant:
    require(can_edit_product(actor, grant.port.product), "Only the product's owners revoke access.")
    with transaction.atomic():
        grant = AccessGrant.objects.select_for_update().select_related("port__product").get(pk=grant.pk)
        if grant.revoked_at is not None:
            return grant
        before = grant.history_snapshot()
        grant.revoked_at = timezone.now()
        grant = save_logged(actor, grant, via=via, before=before)
        access_event("revoked", actor, grant.port, user=grant.user)
        return grant
