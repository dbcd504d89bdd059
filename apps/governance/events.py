"""Event types of the access marketplace, and the one helper its actions emit them with."""

from apps.core.events import EVENT_TYPES, emit, register_event_type

GOVERNANCE_EVENT_TYPES = {
    "mesh.access.requested": "Someone asked for access to an output port (owners decide).",
    "mesh.access.approved": "An access request was approved and a grant created or renewed.",
    "mesh.access.denied": "An access request was denied, with the owners' comment.",
    "mesh.access.withdrawn": "A requester withdrew a pending access request.",
    "mesh.access.revoked": "An access grant was revoked.",
}


def register_governance_event_types() -> None:
    for name, description in GOVERNANCE_EVENT_TYPES.items():
        if name not in EVENT_TYPES:
            register_event_type(name, description)


def access_event(kind: str, actor, port, *, user, request=None, **extra) -> None:
    """``mesh.access.<kind>`` on ``port`` for ``user`` (the requester / grant holder)."""
    product = port.product
    data = {
        "product": product.slug,
        "product_id": product.pk,
        "product_name": product.name,
        "domain": product.domain.slug,
        "domain_id": product.domain_id,
        "port": port.name,
        "port_id": port.pk,
        "requester": user.get_username(),
        "request_id": request.pk if request is not None else None,
        **extra,
    }
    if kind != "requested":
        data["notify_user_ids"] = [user.pk]  # the requester hears the decision
    emit(
        f"mesh.access.{kind}",
        subject=f"product/{product.slug}/port/{port.name}",
        data=data,
        actor=actor,
        domain=product.domain.slug,
        product=product.slug,
    )
