"""Mutations for everything an owner edits on a product page, each through an action.

Each declares the permission rule it needs (checked once by ``ActionMutation``; the action
checks it again) and returns typed errors. Objects are addressed by slug (products,
domains) or id (ports, ownerships); datasets by namespace + name.
"""

import graphene
from django.contrib.auth import get_user_model

from apps.catalog import actions
from apps.catalog.graphql.types import DataProductType, OwnershipType, PortType
from apps.catalog.models import DataProduct, Domain, Ownership, Port, Team
from apps.catalog.permissions import can_edit_domain, can_edit_product
from apps.core.errors import ActionError, NotFoundError
from mesh_catalog.graphql.mutations import VIA, ActionMutation


def _get(model, field: str, **lookup):
    obj = model.objects.filter(**lookup).first() if all(v not in (None, "") for v in lookup.values()) else None
    if obj is None:
        shown = ", ".join(str(v) for v in lookup.values())
        raise NotFoundError(f"No {model._meta.verbose_name} '{shown}'.", field=field)
    return obj


def _port(port_id, field="id") -> Port:
    if not str(port_id).isdigit():
        raise NotFoundError(f"No port '{port_id}'.", field=field)
    return _get(Port, field, pk=int(port_id))


def _can_edit_port_product(user, port) -> bool:
    return can_edit_product(user, port.product)


def _can_edit_ownership_target(user, ownership) -> bool:
    return (
        can_edit_product(user, ownership.product) if ownership.product_id else can_edit_domain(user, ownership.domain)
    )


def _can_edit_target(user, target) -> bool:
    return can_edit_product(user, target) if isinstance(target, DataProduct) else can_edit_domain(user, target)


# --- inputs ----------------------------------------------------------------------------


class ProductInput(graphene.InputObjectType):
    """Fields an owner edits; omitted fields stay as they are."""

    name = graphene.String()
    summary = graphene.String()
    description = graphene.String()
    lifecycle = graphene.String(description="draft | published | deprecated | retired")
    classification = graphene.String(description="public | internal | confidential | restricted")
    tags = graphene.List(graphene.NonNull(graphene.String), description="Replaces the product's tags.")
    cost_per_month = graphene.Decimal()
    cost_currency = graphene.String()
    domain = graphene.String(description="Move to this domain (slug).")


class DatasetRefInput(graphene.InputObjectType):
    """A dataset by its OpenLineage identity."""

    namespace = graphene.String(required=True)
    name = graphene.String(required=True)


class PortInput(graphene.InputObjectType):
    """Fields of a port; omitted fields stay as they are."""

    name = graphene.String()
    direction = graphene.String(description="input | output")
    protocol = graphene.String()
    format = graphene.String()
    endpoint = graphene.String()
    endpoint_details = graphene.JSONString()
    description = graphene.String()
    upstream_port = graphene.ID(
        description="Output port (of another product) this input port consumes; null to unlink."
    )
    datasets = graphene.List(graphene.NonNull(DatasetRefInput), description="Replaces the port's datasets.")


def _product_fields(data: dict) -> dict:
    fields = dict(data)
    if "domain" in fields:
        fields["domain"] = _get(Domain, "domain", slug=fields["domain"])
    return fields


def _port_fields(data: dict) -> dict:
    fields = dict(data)
    if "upstream_port" in fields:
        fields["upstream_port"] = (
            _port(fields["upstream_port"], "upstream_port") if fields["upstream_port"] is not None else None
        )
    if "endpoint_details" in fields and not isinstance(fields["endpoint_details"], dict):
        raise ActionError("Endpoint details are an object.", field="endpoint_details", code="invalid")
    if "datasets" in fields:
        fields["datasets"] = [(d["namespace"], d["name"]) for d in fields["datasets"] or []]
    return {k: v for k, v in fields.items() if v is not None or k == "upstream_port"}


# --- products --------------------------------------------------------------------------


class CreateProduct(ActionMutation):
    """Create a data product in a domain (domain owners and admins)."""

    class Arguments:
        domain = graphene.String(required=True)
        slug = graphene.String(required=True)
        name = graphene.String(required=True)
        input = ProductInput()

    product = graphene.Field(DataProductType)
    permission = staticmethod(can_edit_domain)

    @classmethod
    def get_target(cls, info, domain, **args):
        return _get(Domain, "domain", slug=domain)

    @classmethod
    def perform(cls, info, target, slug, name, input=None, **args):
        fields = _product_fields(input or {})
        fields.pop("domain", None)
        return {
            "product": actions.create_product(info.context.user, domain=target, slug=slug, name=name, via=VIA, **fields)
        }


class UpdateProduct(ActionMutation):
    """Edit a product's summary, description, lifecycle, classification, tags, cost or domain.

    Pass the ``revision`` you read as ``expectedRevision`` to get a ``conflict`` error
    (with the fields that changed) instead of overwriting someone else's edit.
    """

    class Arguments:
        slug = graphene.String(required=True)
        input = ProductInput(required=True)
        expected_revision = graphene.Int()

    product = graphene.Field(DataProductType)
    permission = staticmethod(can_edit_product)

    @classmethod
    def get_target(cls, info, slug, **args):
        return _get(DataProduct, "slug", slug=slug)

    @classmethod
    def perform(cls, info, target, input, expected_revision=None, **args):
        fields = _product_fields(input)
        return {
            "product": actions.update_product(
                info.context.user, target, expected_revision=expected_revision, via=VIA, **fields
            )
        }


# --- owners ----------------------------------------------------------------------------


class AddOwner(ActionMutation):
    """Give a user (username) or a team (slug) a role on a product or a domain."""

    class Arguments:
        product = graphene.String()
        domain = graphene.String()
        username = graphene.String()
        team = graphene.String()
        role = graphene.String(default_value="owner", description="owner | steward | technical_owner")

    ownership = graphene.Field(OwnershipType)
    permission = staticmethod(_can_edit_target)

    @classmethod
    def get_target(cls, info, product=None, domain=None, **args):
        if bool(product) == bool(domain):
            raise ActionError("Name either a product or a domain.", field="product", code="target_required")
        return _get(DataProduct, "product", slug=product) if product else _get(Domain, "domain", slug=domain)

    @classmethod
    def perform(cls, info, target, username=None, team=None, role="owner", **args):
        user = _get(get_user_model(), "username", username=username) if username else None
        team_row = _get(Team, "team", slug=team) if team else None
        return {"ownership": actions.add_owner(info.context.user, target, user=user, team=team_row, role=role, via=VIA)}


class RemoveOwner(ActionMutation):
    """Take a role back."""

    class Arguments:
        id = graphene.ID(required=True)

    removed_id = graphene.ID()
    permission = staticmethod(_can_edit_ownership_target)

    @classmethod
    def get_target(cls, info, id, **args):
        if not str(id).isdigit():
            raise NotFoundError(f"No ownership '{id}'.", field="id")
        return _get(Ownership, "id", pk=int(id))

    @classmethod
    def perform(cls, info, target, id, **args):
        actions.remove_owner(info.context.user, target, via=VIA)
        return {"removed_id": id}


# --- ports -----------------------------------------------------------------------------


class CreatePort(ActionMutation):
    """Add an input or output port to a product, optionally with datasets and an upstream port."""

    class Arguments:
        product = graphene.String(required=True)
        input = PortInput(required=True)

    port = graphene.Field(PortType)
    permission = staticmethod(can_edit_product)

    @classmethod
    def get_target(cls, info, product, **args):
        return _get(DataProduct, "product", slug=product)

    @classmethod
    def perform(cls, info, target, input, **args):
        fields = _port_fields(input)
        name, direction = fields.pop("name", None), fields.pop("direction", None)
        if not name or not direction:
            raise ActionError(
                "A port needs a name and a direction.", field="name" if not name else "direction", code="required"
            )
        return {
            "port": actions.create_port(info.context.user, target, name=name, direction=direction, via=VIA, **fields)
        }


class UpdatePort(ActionMutation):
    """Change a port's fields, datasets or upstream port."""

    class Arguments:
        id = graphene.ID(required=True)
        input = PortInput(required=True)

    port = graphene.Field(PortType)
    permission = staticmethod(_can_edit_port_product)

    @classmethod
    def get_target(cls, info, id, **args):
        return _port(id)

    @classmethod
    def perform(cls, info, target, input, **args):
        return {"port": actions.update_port(info.context.user, target, via=VIA, **_port_fields(input))}


class DeletePort(ActionMutation):
    """Remove a port."""

    class Arguments:
        id = graphene.ID(required=True)

    removed_id = graphene.ID()
    permission = staticmethod(_can_edit_port_product)

    @classmethod
    def get_target(cls, info, id, **args):
        return _port(id)

    @classmethod
    def perform(cls, info, target, id, **args):
        actions.delete_port(info.context.user, target, via=VIA)
        return {"removed_id": id}


class SetPortDatasets(ActionMutation):
    """Replace the datasets a port exposes or consumes."""

    class Arguments:
        id = graphene.ID(required=True)
        datasets = graphene.List(graphene.NonNull(DatasetRefInput), required=True)

    port = graphene.Field(PortType)
    permission = staticmethod(_can_edit_port_product)

    @classmethod
    def get_target(cls, info, id, **args):
        return _port(id)

    @classmethod
    def perform(cls, info, target, datasets, **args):
        return {
            "port": actions.set_port_datasets(
                info.context.user, target, [(d["namespace"], d["name"]) for d in datasets], via=VIA
            )
        }


class LinkInputPort(ActionMutation):
    """Make an input port consume another product's output port (or unlink it with null)."""

    class Arguments:
        input_port = graphene.ID(required=True)
        output_port = graphene.ID()

    port = graphene.Field(PortType)
    permission = staticmethod(_can_edit_port_product)

    @classmethod
    def get_target(cls, info, input_port, **args):
        return _port(input_port, "input_port")

    @classmethod
    def perform(cls, info, target, output_port=None, **args):
        upstream = _port(output_port, "output_port") if output_port is not None else None
        return {"port": actions.update_port(info.context.user, target, upstream_port=upstream, via=VIA)}


class CatalogMutation(graphene.ObjectType):
    """Owner edits of the catalog."""

    create_product = CreateProduct.Field()
    update_product = UpdateProduct.Field()
    add_owner = AddOwner.Field()
    remove_owner = RemoveOwner.Field()
    create_port = CreatePort.Field()
    update_port = UpdatePort.Field()
    delete_port = DeletePort.Field()
    set_port_datasets = SetPortDatasets.Field()
    link_input_port = LinkInputPort.Field()


__all__ = ["CatalogMutation"]
