"""Who may edit what. One rule for every interface (pages, GraphQL, REST, YAML).

Admins (superusers) and system actors edit everything. A user who holds any ownership
role on a product — directly or through a team — edits it; a user holding a role on a
domain edits that domain, its sub-domains and every product in them.
"""

from django.db.models import Q

from apps.core.actors import is_admin


def _holder_q(user) -> Q:
    return Q(user=user) | Q(team__members=user)


def _domain_slugs_on_path(path: str) -> list[str]:
    return [s for s in path.strip("/").split("/") if s]


def can_edit_domain(user, domain) -> bool:
    if is_admin(user):
        return True
    if not getattr(user, "is_authenticated", False) or domain is None:
        return False
    from apps.catalog.models import Ownership

    return Ownership.objects.filter(_holder_q(user), domain__slug__in=_domain_slugs_on_path(domain.path)).exists()


def can_edit_product(user, product) -> bool:
    if is_admin(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    from apps.catalog.models import Ownership

    domain_path = product.domain.path
    return Ownership.objects.filter(
        _holder_q(user), Q(product_id=product.pk) | Q(domain__slug__in=_domain_slugs_on_path(domain_path))
    ).exists()


def can_create_domain(user, parent) -> bool:
    return is_admin(user) or (parent is not None and can_edit_domain(user, parent))


def can_manage_team(user, team) -> bool:
    return is_admin(user) or (getattr(user, "is_authenticated", False) and team.members.filter(pk=user.pk).exists())


def editable_products(user):
    """The products ``user`` may edit, as one queryset (for "my products" and list filters)."""
    from apps.catalog.models import DataProduct, Domain, Ownership

    if is_admin(user):
        return DataProduct.objects.all()
    if not getattr(user, "is_authenticated", False):
        return DataProduct.objects.none()
    owned = Ownership.objects.filter(_holder_q(user))
    domain_paths = list(
        Domain.objects.filter(pk__in=owned.filter(domain__isnull=False).values("domain_id")).values_list(
            "path", flat=True
        )
    )
    q = Q(pk__in=owned.filter(product__isnull=False).values("product_id"))
    for path in domain_paths:
        q |= Q(domain__path__startswith=path)
    return DataProduct.objects.filter(q).distinct()
