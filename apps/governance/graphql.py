"""GraphQL of access requests and grants: types, queries and mutations (mixins for the root).

Compose with ``class Query(GovernanceQuery, …)`` and ``class Mutation(GovernanceMutation, …)``.
A request is visible to its requester and to the editors of its product; nobody else.
"""

import graphene
from django.db.models import Q

from apps.catalog.graphql import dataloaders as L
from apps.catalog.graphql.types import PortType, UserType
from apps.catalog.models import Port
from apps.catalog.permissions import editable_products
from apps.core.errors import NotFoundError
from apps.governance import actions
from apps.governance.models import AccessGrant, AccessRequest
from mesh_catalog.graphql.dataloaders import loader, track
from mesh_catalog.graphql.mutations import VIA, ActionMutation


def _by_fk(base, attr: str, name: str):
    """A loader of ``base``'s model keyed by ``parent.<attr>``, batching over siblings."""
    return type(name, (base,), {"key_of": lambda self, parent: getattr(parent, attr)})


PortOfRow = _by_fk(L.PortById, "port_id", "PortOfRow")
RequesterOfRequest = _by_fk(L.UserById, "requester_id", "RequesterOfRequest")
DeciderOfRequest = _by_fk(L.UserById, "decided_by_id", "DeciderOfRequest")
UserOfGrant = _by_fk(L.UserById, "user_id", "UserOfGrant")
GranterOfGrant = _by_fk(L.UserById, "granted_by_id", "GranterOfGrant")


class AccessRequestType(graphene.ObjectType):
    """A consumer's request for access to an output port, and the owners' decision."""

    class Meta:
        name = "AccessRequest"

    id = graphene.ID(required=True)
    port = graphene.Field(PortType, required=True)
    requester = graphene.Field(UserType, required=True)
    reason = graphene.String(required=True)
    status = graphene.String(required=True, description="pending | approved | denied | withdrawn")
    requested_until = graphene.DateTime()
    decided_by = graphene.Field(UserType)
    decided_at = graphene.DateTime()
    decision_comment = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)

    def resolve_port(req, info):
        return loader(info, PortOfRow).load_for(req)

    def resolve_requester(req, info):
        return loader(info, RequesterOfRequest).load_for(req)

    def resolve_decided_by(req, info):
        return loader(info, DeciderOfRequest).load_for(req)


class AccessGrantType(graphene.ObjectType):
    """Permission for one user to query one output port (what the query runner checks)."""

    class Meta:
        name = "AccessGrant"

    id = graphene.ID(required=True)
    port = graphene.Field(PortType, required=True)
    user = graphene.Field(UserType, required=True)
    granted_by = graphene.Field(UserType)
    expires_at = graphene.DateTime()
    revoked_at = graphene.DateTime()
    is_active = graphene.Boolean(required=True)

    def resolve_port(grant, info):
        return loader(info, PortOfRow).load_for(grant)

    def resolve_user(grant, info):
        return loader(info, UserOfGrant).load_for(grant)

    def resolve_granted_by(grant, info):
        return loader(info, GranterOfGrant).load_for(grant)


def _visible(user):
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    return Q(requester_id=user.pk) | Q(port__product__in=editable_products(user))


class GovernanceQuery(graphene.ObjectType):
    """Access requests and grants."""

    access_requests = graphene.List(
        graphene.NonNull(AccessRequestType),
        required=True,
        product=graphene.String(description="Product slug."),
        status=graphene.String(),
        first=graphene.Int(default_value=100),
        description="Requests you made, and requests on products you own (owners see pending ones here).",
    )
    my_access_grants = graphene.List(graphene.NonNull(AccessGrantType), required=True)

    def resolve_access_requests(root, info, product=None, status=None, first=100):
        qs = AccessRequest.objects.filter(_visible(info.context.user)).order_by("-created_at")
        if product:
            qs = qs.filter(port__product__slug=product)
        if status:
            qs = qs.filter(status=status)
        return track(info.context, qs[: max(1, min(first, 500))])

    def resolve_my_access_grants(root, info):
        user = info.context.user
        if not getattr(user, "is_authenticated", False):
            return []
        return track(info.context, AccessGrant.objects.filter(user_id=user.pk).order_by("-created_at"))


def _request(request_id) -> AccessRequest:
    req = (
        AccessRequest.objects.select_related("port__product").filter(pk=request_id).first()
        if str(request_id).isdigit()
        else None
    )
    if req is None:
        raise NotFoundError(f"No access request '{request_id}'.", field="id")
    return req


class RequestAccess(ActionMutation):
    """Ask the owners of a product for access to one of its output ports."""

    class Arguments:
        port = graphene.ID(required=True)
        reason = graphene.String(required=True)
        requested_until = graphene.DateTime()

    access_request = graphene.Field(AccessRequestType)

    @classmethod
    def get_target(cls, info, port, **args):
        found = Port.objects.select_related("product").filter(pk=port).first() if str(port).isdigit() else None
        if found is None:
            raise NotFoundError(f"No port '{port}'.", field="port")
        return found

    @classmethod
    def perform(cls, info, target, reason, requested_until=None, **args):
        return {
            "access_request": actions.request_access(
                info.context.user, target, reason=reason, requested_until=requested_until, via=VIA
            )
        }


class ApproveAccessRequest(ActionMutation):
    """Approve a pending request (owners of the product); grants access until ``expiresAt``."""

    class Arguments:
        id = graphene.ID(required=True)
        comment = graphene.String()
        expires_at = graphene.DateTime()

    access_request = graphene.Field(AccessRequestType)
    grant = graphene.Field(AccessGrantType)

    @classmethod
    def get_target(cls, info, id, **args):
        return _request(id)

    @classmethod
    def perform(cls, info, target, comment="", expires_at=None, **args):
        grant = actions.approve_request(
            info.context.user, target, comment=comment or "", expires_at=expires_at, via=VIA
        )
        target.refresh_from_db()
        return {"access_request": target, "grant": grant}


class DenyAccessRequest(ActionMutation):
    """Deny a pending request with a comment the requester will read."""

    class Arguments:
        id = graphene.ID(required=True)
        comment = graphene.String(required=True)

    access_request = graphene.Field(AccessRequestType)

    @classmethod
    def get_target(cls, info, id, **args):
        return _request(id)

    @classmethod
    def perform(cls, info, target, comment, **args):
        return {"access_request": actions.deny_request(info.context.user, target, comment=comment, via=VIA)}


class GovernanceMutation(graphene.ObjectType):
    request_access = RequestAccess.Field()
    approve_access_request = ApproveAccessRequest.Field()
    deny_access_request = DenyAccessRequest.Field()


Query = GovernanceQuery
Mutation = GovernanceMutation
