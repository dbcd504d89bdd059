"""Recipient sources: each one query (two with team members) for the whole batch of scopes."""

from collections import defaultdict
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from apps.events.audience.scope import Scope, union

LAB_WINDOW = timedelta(days=30)


def ownerships(filter_q: Q) -> list[tuple]:
    """(user id, product id, domain slug, role, via) per ownership matching ``filter_q``, team members included."""
    from apps.catalog.models import Ownership

    rows = Ownership.objects.filter(filter_q).values_list(
        "user_id", "team__members__id", "product_id", "domain__slug", "role", "team__slug"
    )
    return [
        (user_id or member_id, product_id, domain_slug, role, f" (team {team})" if team else "")
        for user_id, member_id, product_id, domain_slug, role, team in rows
    ]


def owners_of_products(scopes: list[Scope]) -> None:
    products = union(scopes, "product_ids")
    if not products:
        return
    by_product = defaultdict(list)
    for user_id, product_id, _domain, role, via in ownerships(Q(product_id__in=products)):
        by_product[product_id].append((user_id, role, via))
    for s in scopes:
        for product_id in s.product_ids:
            slug = s.labels.get(("product", product_id), "the product")
            s.rec.add(
                "owner",
                [
                    (u, (f"you are {role} of {slug}" if role != "owner" else f"you own {slug}") + via)
                    for u, role, via in by_product[product_id]
                ],
            )


def owners_of_domains(scopes: list[Scope]) -> None:
    slugs = {slug for s in scopes for slug in s.domain_slugs}
    if not slugs:
        return
    by_domain = defaultdict(list)
    for user_id, _product, domain_slug, _role, via in ownerships(Q(domain__slug__in=slugs)):
        by_domain[domain_slug].append((user_id, f"you own the {domain_slug} domain{via}"))
    for s in scopes:
        for slug in s.domain_slugs:
            s.rec.add("domain_owner", by_domain[slug])


def followers(scopes: list[Scope]) -> None:
    from apps.events.models import Follow

    scopes = [s for s in scopes if s.product_ids or s.dataset_ids or s.domain_id]
    if not scopes:
        return
    q = Q(product_id__in=union(scopes, "product_ids")) | Q(dataset_id__in=union(scopes, "dataset_ids"))
    slugs = {slug for s in scopes for slug in s.domain_slugs}
    if slugs:
        q |= Q(domain__slug__in=slugs)
    rows = list(
        Follow.objects.filter(q).values_list(
            "user_id", "target", "product_id", "dataset_id", "domain__slug", "product__slug", "dataset__name"
        )
    )
    for s in scopes:
        s.rec.add(
            "follower",
            [
                (u, f"you follow {target} {p_slug or d_slug or ds_name}")
                for u, target, p, ds, d_slug, p_slug, ds_name in rows
                if p in s.product_ids or ds in s.dataset_ids or (d_slug and d_slug in s.domain_slugs)
            ],
        )


def consumers(scopes: list[Scope]) -> None:
    """Owners of products whose input ports consume the output ports (or their datasets).

    A removed port has no consumers left to find after the commit, so its event carries the
    consuming products as they were (``consumer_product_ids``).
    """
    from apps.catalog.models import Port, PortDirection

    scopes = [s for s in scopes if s.output_port_ids or s.dataset_ids or s.data.get("consumer_product_ids")]
    if not scopes:
        return
    rows = []
    if ports_or_datasets := [s for s in scopes if s.output_port_ids or s.dataset_ids]:
        inputs = Port.objects.filter(direction=PortDirection.INPUT).filter(
            Q(upstream_port_id__in=union(ports_or_datasets, "output_port_ids"))
            | Q(port_datasets__dataset_id__in=union(ports_or_datasets, "dataset_ids"))
        )
        rows = list(
            inputs.values_list("product_id", "product__slug", "name", "upstream_port_id", "port_datasets__dataset_id")
            .order_by("product_id", "name")
            .distinct()
        )
    via_of: dict[int, dict[int, str]] = {}
    for s in scopes:
        via: dict[int, str] = {}
        for product_id, slug, name, upstream_id, ds_id in rows:
            if product_id in s.product_ids:
                continue
            if upstream_id in s.output_port_ids or ds_id in s.dataset_ids:
                what = s.labels.get(("port", upstream_id)) or "it"
                via.setdefault(product_id, f"you consume {what} through {slug}:{name}")
        for product_id in s.data.get("consumer_product_ids") or ():
            via.setdefault(product_id, f"you consumed {s.data.get('product', '')}:{s.data.get('port', '')}")
        via_of[id(s)] = via
    wanted = {p for via in via_of.values() for p in via}
    if not wanted:
        return
    by_product = defaultdict(list)
    for user_id, product_id, *_ in ownerships(Q(product_id__in=wanted)):
        by_product[product_id].append(user_id)
    for s in scopes:
        s.rec.add("consumer", [(u, why) for p, why in via_of[id(s)].items() for u in by_product[p]])


def grant_holders(scopes: list[Scope]) -> None:
    from apps.governance.models import AccessGrant

    ports = union(scopes, "output_port_ids")
    if not ports:
        return
    rows = list(
        AccessGrant.objects.filter(port_id__in=ports, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .values_list("user_id", "port_id")
    )
    for s in scopes:
        s.rec.add(
            "grant",
            [(u, f"you hold access to {s.labels.get(('port', p), 'it')}") for u, p in rows if p in s.output_port_ids],
        )


def lab_users(scopes: list[Scope]) -> None:
    from apps.lab.models import QueryRun

    scopes = [s for s in scopes if s.product_ids or s.output_port_ids]
    if not scopes:
        return
    rows = list(
        QueryRun.objects.filter(created_at__gte=timezone.now() - LAB_WINDOW, user_id__isnull=False)
        .filter(Q(port_id__in=union(scopes, "output_port_ids")) | Q(product_id__in=union(scopes, "product_ids")))
        .values_list("user_id", "product__slug", "port_id", "product_id")
        .distinct()
    )
    for s in scopes:
        s.rec.add(
            "lab",
            [
                (u, f"you queried {slug or 'it'} in the lab in the last 30 days")
                for u, slug, port_id, product_id in rows
                if port_id in s.output_port_ids or product_id in s.product_ids
            ],
        )


def direct(scopes: list[Scope]) -> None:
    for s in scopes:
        ids = [i for i in s.data.get("notify_user_ids", []) if isinstance(i, int)]
        label = "this is about your access request" if s.event.type.startswith("mesh.access.") else "this is about you"
        s.rec.add("direct", [(i, label) for i in ids])


def staff(scopes: list[Scope]) -> None:
    scopes = [s for s in scopes if s.event.type.startswith("mesh.harvest.")]
    if scopes:
        rows = list(get_user_model().objects.filter(is_staff=True, is_active=True).values_list("pk", flat=True))
        for s in scopes:
            s.rec.add("staff", [(u, "you operate the catalog's sources") for u in rows])
