"""Granting and removing ownership roles on domains and products."""

from django.db import transaction

from apps.catalog.events import ownership_event
from apps.catalog.models import DataProduct, Domain, Ownership, OwnershipRole
from apps.catalog.permissions import can_edit_domain, can_edit_product
from apps.core.errors import ActionError
from apps.core.writes import delete_logged, require, save_logged


def _can_edit_target(actor, target) -> bool:
    return can_edit_product(actor, target) if isinstance(target, DataProduct) else can_edit_domain(actor, target)


def add_owner(actor, target, *, user=None, team=None, role: str = OwnershipRole.OWNER, via: str = "web") -> Ownership:
    """Give ``user`` or ``team`` a role on a product or domain (idempotent)."""
    if (user is None) == (team is None):
        raise ActionError("Name either a user or a team as owner.", field="user", code="owner_required")
    if not isinstance(target, (DataProduct, Domain)):
        raise ActionError("Ownership applies to a data product or a domain.", code="invalid_target")
    require(_can_edit_target(actor, target))
    key = {"product": target} if isinstance(target, DataProduct) else {"domain": target}
    with transaction.atomic():
        existing = Ownership.objects.filter(user=user, team=team, role=role, **key).first()
        if existing:
            return existing
        ownership = save_logged(actor, Ownership(user=user, team=team, role=role, **key), via=via)
        ownership_event("created", actor, ownership, target)
        return ownership


def remove_owner(actor, ownership: Ownership, *, via: str = "web") -> None:
    target = ownership.product or ownership.domain
    require(_can_edit_target(actor, target))
    with transaction.atomic():
        ownership_event("deleted", actor, ownership, target)
        delete_logged(actor, ownership, via=via)
