"""The catalog's event types and the helpers its actions emit them with.

Declared from ``CatalogConfig.ready()`` (the catalog is below ``apps.events``, which routes
them). Every payload carries the ids routing needs (``product_id``, ``port_id``,
``domain_id``) beside the human-readable slugs, so routing never parses ``subject``.
"""

from apps.core.events import EVENT_TYPES, emit, register_event_type

CATALOG_EVENT_TYPES = {
    "mesh.product.created": ("A data product was created.", False),
    "mesh.product.updated": ("A data product's description, classification, tags or cost changed.", False),
    "mesh.product.deleted": ("A data product was deleted.", False),
    "mesh.product.lifecycle_changed": ("A product moved to another lifecycle stage (deprecated, retired…).", True),
    "mesh.port.created": ("A port was added to a product.", False),
    "mesh.port.updated": ("A port's endpoint, datasets or upstream changed.", False),
    "mesh.port.deleted": ("A port was removed from a product.", False),
    "mesh.ownership.created": ("Someone was given a role on a product or domain.", False),
    "mesh.ownership.deleted": ("Someone's role on a product or domain was removed.", False),
}


def register_catalog_event_types() -> None:
    for name, (description, downstream) in CATALOG_EVENT_TYPES.items():
        if name not in EVENT_TYPES:
            register_event_type(name, description, downstream=downstream)


def _product_scope(product) -> dict:
    return {
        "product": product.slug,
        "product_id": product.pk,
        "product_name": product.name,
        "domain": product.domain.slug,
        "domain_id": product.domain_id,
    }


def product_event(kind: str, actor, product, **extra) -> None:
    """``mesh.product.<kind>`` about ``product`` (call inside the write's transaction)."""
    emit(
        f"mesh.product.{kind}",
        subject=f"product/{product.slug}",
        data={**_product_scope(product), **extra},
        actor=actor,
        domain=product.domain.slug,
        product=product.slug,
    )


def holders_of(product) -> list[int]:
    """User ids holding a role on ``product`` (directly or through a team), read before a delete."""
    from apps.catalog.models import Ownership

    rows = Ownership.objects.filter(product=product).values_list("user_id", "team__members__id")
    return sorted({u or m for u, m in rows if (u or m)})


def port_event(kind: str, actor, port, **extra) -> None:
    product = port.product
    emit(
        f"mesh.port.{kind}",
        subject=f"product/{product.slug}/port/{port.name}",
        data={
            **_product_scope(product),
            "port_id": port.pk,
            "port": port.name,
            "direction": port.direction,
            **extra,
        },
        actor=actor,
        domain=product.domain.slug,
        product=product.slug,
    )


def ownership_event(kind: str, actor, ownership, target) -> None:
    from apps.catalog.models import DataProduct

    holder = ownership.user.get_username() if ownership.user_id else f"team:{ownership.team.slug}"
    data = {"role": ownership.role, "holder": holder, "user_id": ownership.user_id, "team_id": ownership.team_id}
    if isinstance(target, DataProduct):
        data.update(_product_scope(target))
        subject, domain, product = f"product/{target.slug}", target.domain.slug, target.slug
    else:
        data.update({"domain": target.slug, "domain_id": target.pk})
        subject, domain, product = f"domain/{target.slug}", target.slug, ""
    if ownership.user_id:
        data["notify_user_ids"] = [ownership.user_id]  # the person given (or losing) the role hears of it
    emit(f"mesh.ownership.{kind}", subject=subject, data=data, actor=actor, domain=domain, product=product)


def changed_fields(before: dict, after: dict) -> dict:
    """{field: {"before", "after"}} of a history snapshot pair, without the revision counter."""
    return {
        k: {"before": before.get(k), "after": after.get(k)}
        for k in after
        if k != "revision" and before.get(k) != after.get(k)
    }
