"""Writes to domains, including moves that keep the materialized tree paths right."""

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr

from apps.catalog.models import Domain
from apps.catalog.permissions import can_create_domain, can_edit_domain
from apps.core.errors import ActionError
from apps.core.writes import delete_logged, require, save_logged

DOMAIN_FIELDS = {"slug", "name", "description", "parent"}


def create_domain(
    actor, *, slug: str, name: str, description: str = "", parent: Domain | None = None, via: str = "web"
) -> Domain:
    require(
        can_create_domain(actor, parent),
        "Only admins create top-level domains; owners of a domain create its sub-domains.",
    )
    with transaction.atomic():
        domain = Domain(slug=slug, name=name, description=description, parent=parent)
        domain.path = domain.compute_path()
        domain.depth = parent.depth + 1 if parent else 0
        return save_logged(actor, domain, via=via)


def update_domain(actor, domain: Domain, *, via: str = "web", **fields) -> Domain:
    unknown = set(fields) - DOMAIN_FIELDS
    if unknown:
        raise ActionError(f"Unknown domain field(s): {', '.join(sorted(unknown))}", code="unknown_field")
    require(can_edit_domain(actor, domain))
    with transaction.atomic():
        domain = Domain.objects.select_for_update().get(pk=domain.pk)
        before = domain.history_snapshot()
        old_path, old_depth = domain.path, domain.depth
        new_parent = fields.get("parent", domain.parent)
        if "parent" in fields and new_parent != domain.parent:
            _check_move(actor, domain, new_parent)
        for key, value in fields.items():
            setattr(domain, key, value)
        domain.path = domain.compute_path()
        domain.depth = new_parent.depth + 1 if new_parent else 0
        save_logged(actor, domain, via=via, before=before)
        if domain.path != old_path:
            _rewrite_descendant_paths(old_path, domain.path, domain.depth - old_depth)
        return domain


def _check_move(actor, domain: Domain, new_parent: Domain | None) -> None:
    if new_parent is None:
        require(can_create_domain(actor, None), "Only admins create top-level domains.")
        return
    if new_parent.pk == domain.pk or new_parent.path.startswith(domain.path):
        raise ActionError(
            f"Cannot move '{domain.slug}' under '{new_parent.slug}': that would make a cycle in the domain tree.",
            field="parent",
            code="cycle",
        )
    require(can_edit_domain(actor, new_parent), f"You may not move domains under '{new_parent.slug}'.")


def _rewrite_descendant_paths(old_path: str, new_path: str, depth_delta: int) -> None:
    """One UPDATE re-roots every descendant's path (no recursion, no per-row writes)."""
    Domain.objects.filter(path__startswith=old_path).exclude(path=new_path).update(
        path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1, Length(F("path")))),
        depth=F("depth") + depth_delta,
    )


def delete_domain(actor, domain: Domain, *, via: str = "web") -> None:
    require(can_edit_domain(actor, domain))
    if domain.children.exists() or domain.products.exists():
        raise ActionError(
            f"Domain '{domain.slug}' still has sub-domains or products; move or delete them first.", code="not_empty"
        )
    with transaction.atomic():
        delete_logged(actor, domain, via=via)
