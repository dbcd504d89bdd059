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
