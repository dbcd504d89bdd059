"""Who may query an output port: the one rule the query runner and the pages share."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from apps.catalog.permissions import can_edit_product
from apps.governance.models import AccessGrant


@dataclass(frozen=True)
class QueryAccess:
    """The answer for one (user, port): allowed or not, and what to tell the user."""

    allowed: bool
    reason: str = ""
    needs_grant: bool = False


def grant_required(product) -> bool:
    """Restricted and confidential products (operator-configurable) need an access grant."""
    return product.classification in settings.MESH_LAB_GRANT_CLASSIFICATIONS


def active_grants():
    now = timezone.now()
    return AccessGrant.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now), revoked_at__isnull=True)


def has_active_grant(user, port) -> bool:
    if not getattr(user, "pk", None):
        return False
    return active_grants().filter(user_id=user.pk, port_id=port.pk).exists()


def query_access(user, port) -> QueryAccess:
    """Running a query needs a logged-in reader; grant-gated products need a live grant.

    Owners (and admins) of the product query it without a grant: they could grant it to
    themselves anyway. Anonymous visitors never run queries, even with public read,
    because every run is attributed and rate-limited per user.
    """
    if not getattr(user, "is_authenticated", False):
        return QueryAccess(False, "Log in to run queries.")
    product = port.product
    if not grant_required(product):
        return QueryAccess(True)
    if can_edit_product(user, product) or has_active_grant(user, port):
        return QueryAccess(True, needs_grant=True)
    return QueryAccess(
        False,
        f"{product.name} is {product.get_classification_display().lower()}: request access to this port first.",
        needs_grant=True,
    )


def refused_datasets(user, datasets) -> list[tuple[object, object]]:
    """(dataset, product) pairs ``user`` may not read: access follows the dataset, not the port.

    A dataset published by several products' output ports carries the restrictions of every
    one of them: for each grant-gated publisher the user must edit that product or hold a
    live grant on one of its output ports that publishes the dataset. So binding someone
    else's restricted table to one's own public port opens nothing. Three queries at most
    (publishers, grants, and one ownership check per gated product).
    """
    from apps.catalog.models import PortDataset, PortDirection

    dataset_ids = [d.pk for d in datasets]
    if not dataset_ids:
        return []
    links = list(
        PortDataset.objects.filter(dataset_id__in=dataset_ids, port__direction=PortDirection.OUTPUT)
        .select_related("port__product__domain", "dataset")
        .order_by("dataset_id", "port_id")
    )
    gated = [link for link in links if grant_required(link.port.product)]
    if not gated:
        return []
    granted_ports = set()
    if getattr(user, "pk", None):
        granted_ports = set(
            active_grants()
            .filter(user_id=user.pk, port_id__in={link.port_id for link in gated})
            .values_list("port_id", flat=True)
        )
    editable: dict[int, bool] = {}
    allowed_pairs = set()  # (dataset_id, product_id) the user may read
    for link in gated:
        product = link.port.product
        if product.pk not in editable:
            editable[product.pk] = can_edit_product(user, product)
        if editable[product.pk] or link.port_id in granted_ports:
            allowed_pairs.add((link.dataset_id, product.pk))
    refused, seen = [], set()
    for link in gated:
        key = (link.dataset_id, link.port.product_id)
        if key not in allowed_pairs and key not in seen:
            seen.add(key)
            refused.append((link.dataset, link.port.product))
    return refused
