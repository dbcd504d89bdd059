"""Writes to data products, with optimistic concurrency on ``revision``."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from apps.catalog.actions.tags import resolve_tags
from apps.catalog.events import changed_fields, holders_of, product_event
from apps.catalog.models import DataProduct, Domain
from apps.catalog.permissions import can_edit_domain, can_edit_product
from apps.core.actors import is_admin
from apps.core.errors import ActionError, ConflictError
from apps.core.limits import check_text
from apps.core.models import ObjectChange
from apps.core.writes import delete_logged, require, save_logged

PRODUCT_FIELDS = {
    "name",
    "summary",
    "description",
    "lifecycle",
    "classification",
    "cost_per_month",
    "cost_currency",
    "domain",
    "tags",
    "slug",
}


def create_product(
    actor, *, domain: Domain, slug: str, name: str, tags=None, via: str = "web", **fields
) -> DataProduct:
    unknown = set(fields) - PRODUCT_FIELDS
    if unknown:
        raise ActionError(f"Unknown product field(s): {', '.join(sorted(unknown))}", code="unknown_field")
    check_text("description", fields.get("description"))
    require(can_edit_domain(actor, domain), f"Only owners of domain '{domain.slug}' (or admins) create products in it.")
    with transaction.atomic():
        product = DataProduct(domain=domain, slug=slug, name=name, **fields)
        tag_rows = resolve_tags(tags) if tags else []
        product = save_logged(actor, product, via=via, after_save=lambda p: p.tags.set(tag_rows))
        product_event("created", actor, product, lifecycle=product.lifecycle)
        return product


def update_product(
    actor, product: DataProduct, *, via: str = "web", expected_revision: int | None = None, **fields
) -> DataProduct:
    """Change a product's fields. With ``expected_revision``, a stale copy raises ``ConflictError``."""
    unknown = set(fields) - PRODUCT_FIELDS
    if unknown:
        raise ActionError(f"Unknown product field(s): {', '.join(sorted(unknown))}", code="unknown_field")
    check_text("description", fields.get("description"))
    require(can_edit_product(actor, product))
    with transaction.atomic():
        product = DataProduct.objects.select_for_update().select_related("domain").get(pk=product.pk)
        if expected_revision is not None and product.revision != expected_revision:
            raise ConflictError(
                f"'{product.name}' was changed by someone else since you opened it (revision {expected_revision} → {product.revision}). Review their changes and save again.",
                changes=_changes_since(product, expected_revision),
            )
        before = product.history_snapshot()
        new_domain = fields.get("domain")
        if new_domain is not None and new_domain.pk != product.domain_id:
            require(can_edit_domain(actor, new_domain), f"You may not move products into domain '{new_domain.slug}'.")
        if "slug" in fields and fields["slug"] != product.slug and not is_admin(actor):
            raise ActionError(
                "Only admins rename a product's slug: links and descriptors depend on it.",
                field="slug",
                code="permission_denied",
            )
        tag_rows = resolve_tags(fields.pop("tags")) if "tags" in fields else None
        for key, value in fields.items():
            setattr(product, key, value)
        if _without_revision(product.history_snapshot()) == _without_revision(before) and (
            tag_rows is None or sorted(t.slug for t in tag_rows) == before["tags"]
        ):
            return product  # nothing changed: no new revision, no history entry
        product.revision += 1
        product = save_logged(
            actor,
            product,
            via=via,
            before=before,
            after_save=(lambda p: p.tags.set(tag_rows)) if tag_rows is not None else None,
        )
        _emit_update(actor, product, before)
        return product


def _emit_update(actor, product: DataProduct, before: dict) -> None:
    """A lifecycle move is its own (downstream) event; other field changes are ``updated``."""
    changes = changed_fields(before, product.history_snapshot())
    lifecycle = changes.pop("lifecycle", None)
    if lifecycle is not None:
        product_event(
            "lifecycle_changed",
            actor,
            product,
            before=lifecycle["before"],
            after=lifecycle["after"],
            deprecated=product.lifecycle in ("deprecated", "retired"),
        )
    if changes:
        product_event("updated", actor, product, changes=changes, revision=product.revision)


def _without_revision(snapshot: dict) -> dict:
    return {k: v for k, v in snapshot.items() if k not in ("revision", "tags")}


def _changes_since(product: DataProduct, revision: int) -> dict:
    """{field: (value at ``revision``, value now)} from the change log."""
    ct = ContentType.objects.get_for_model(DataProduct)
    then = (
        ObjectChange.objects.filter(content_type=ct, object_id=product.pk, postchange_data__revision=revision)
        .order_by("-id")
        .values_list("postchange_data", flat=True)
        .first()
    ) or {}
    now = product.history_snapshot()
    return {k: (then.get(k), now.get(k)) for k in now if k != "revision" and then.get(k) != now.get(k)}


def delete_product(actor, product: DataProduct, *, via: str = "web") -> None:
    require(is_admin(actor), "Only admins delete products; owners retire them (lifecycle 'retired').")
    with transaction.atomic():
        product_event("deleted", actor, product, notify_user_ids=holders_of(product))  # gone after the delete
        delete_logged(actor, product, via=via)
