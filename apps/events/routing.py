"""Routing: resolve each outbox event to the people who should hear of it, and why.

Every source of recipients is one set-based query (no per-person loop against the
database); a person reached several ways is told once, with the most specific reason
(``PRIORITY``). Preferences decide in-app / e-mail; the result is bulk-inserted with the
(event, user) uniqueness making a second routing of the same event a no-op.

Sources, for an event about a product (or a port of it) or a dataset:
  owners of the product(s) and of their domains; explicit followers (product, domain,
  dataset); implicit followers: consumers through an input port and holders of an active
  grant on its output ports; and for *downstream* events (breaking schema change,
  deprecation) also owners of datasets reached through table/column lineage and people
  who queried it in the lab in the last ``LAB_WINDOW``.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.events import EVENT_TYPES

LAB_WINDOW = timedelta(days=30)
BIG_AUDIENCE = 200
LINEAGE_MAX_HOPS = 5
OWNERS_ONLY = ("mesh.access.",)
PRIORITY = ["direct", "owner", "domain_owner", "consumer", "grant", "lineage", "lab", "follower", "staff"]


@dataclass
class Scope:
    """What an event is about, resolved to ids once: products, their output ports, datasets."""

    product_ids: set
    domain_id: int | None
    output_port_ids: set
    dataset_ids: set
    labels: dict  # product id → slug, port id → "product:port", dataset id → name
    domain_slugs: list = None  # the domain and its ancestors, root first


class Recipients:
    """user id → (code, reason), keeping the highest-priority reason per person."""

    def __init__(self):
        self.by_user: dict[int, tuple[str, str]] = {}

    def add(self, code: str, rows: Iterable[tuple[int | None, str]]) -> None:
        rank = PRIORITY.index(code)
        for user_id, reason in rows:
            if user_id is None:
                continue
            current = self.by_user.get(user_id)
            if current is None or PRIORITY.index(current[0]) > rank:
                self.by_user[user_id] = (code, reason[:300])


# --- scope -------------------------------------------------------------------------------------


def resolve_scope(event) -> Scope:
    from apps.catalog.models import DataProduct, Dataset, Port, PortDataset, PortDirection

    data = event.data or {}
    labels: dict = {}
    product_ids, ports, datasets = set(), set(), set()
    if data.get("dataset_id"):
        datasets.add(data["dataset_id"])
        labels[("dataset", data["dataset_id"])] = data.get("name") or data.get("dataset", "")
        for port_id, product_id, port_name, slug in PortDataset.objects.filter(
            dataset_id=data["dataset_id"], port__direction=PortDirection.OUTPUT
        ).values_list("port_id", "port__product_id", "port__name", "port__product__slug"):
            ports.add(port_id)
            product_ids.add(product_id)
            labels[("port", port_id)] = f"{slug}:{port_name}"
            labels[("product", product_id)] = slug
    if data.get("product_id"):
        product_ids.add(data["product_id"])
        labels[("product", data["product_id"])] = data.get("product", "")
        port_filter = Q(product_id=data["product_id"], direction=PortDirection.OUTPUT)
        if data.get("port_id") and not event.type.startswith("mesh.product."):
            port_filter = Q(pk=data["port_id"], direction=PortDirection.OUTPUT)
        for port_id, name in Port.objects.filter(port_filter).values_list("pk", "name"):
            ports.add(port_id)
            labels[("port", port_id)] = f"{data.get('product', '')}:{name}"
        if ports:
            for ds_id, name in Dataset.objects.filter(port_links__port_id__in=ports).values_list("pk", "name"):
                datasets.add(ds_id)
                labels[("dataset", ds_id)] = name
    domain_id = data.get("domain_id")
    if domain_id is None and product_ids:
        domain_id = DataProduct.objects.filter(pk__in=product_ids).values_list("domain_id", flat=True).first()
    slugs = []
    if domain_id is not None:
        from apps.catalog.models import Domain

        path = Domain.objects.filter(pk=domain_id).values_list("path", flat=True).first() or ""
        slugs = [s for s in path.strip("/").split("/") if s]
    return Scope(product_ids, domain_id, ports, datasets, labels, slugs)


def is_downstream(event) -> bool:
    """Downstream routing for declared downstream types, except a non-breaking schema change."""
    event_type = EVENT_TYPES.get(event.type)
    if event_type is None or not event_type.downstream:
        return False
    if event.type == "mesh.dataset.schema_changed":
        return bool(event.data.get("breaking"))
    return True


# --- recipient sources (each one query, or two with team members) -----------------------------------


def _owner_rows(filter_q: Q, describe) -> list[tuple[int, str]]:
    """(user id, reason) for ownerships matching ``filter_q``, team members included."""
    from apps.catalog.models import Ownership

    rows = Ownership.objects.filter(filter_q).values_list(
        "user_id", "team__members__id", "product_id", "domain__slug", "role", "team__slug"
    )
    out = []
    for user_id, member_id, product_id, domain_slug, role, team in rows:
        via = f" (team {team})" if team else ""
        out.append((user_id or member_id, describe(product_id, domain_slug, role) + via))
    return out


def owners_of_products(scope: Scope, rec: Recipients) -> None:
    if not scope.product_ids:
        return

    def describe(product_id, _domain, role):
        slug = scope.labels.get(("product", product_id), "the product")
        return f"you are {role} of {slug}" if role != "owner" else f"you own {slug}"

    rec.add("owner", _owner_rows(Q(product_id__in=scope.product_ids), describe))


def owners_of_domain(scope: Scope, rec: Recipients) -> None:
    slugs = scope.domain_slugs or []
    if slugs:
        rec.add("domain_owner", _owner_rows(Q(domain__slug__in=slugs), lambda _p, d, _r: f"you own the {d} domain"))


def followers(scope: Scope, rec: Recipients) -> None:
    from apps.events.models import Follow

    if not (scope.product_ids or scope.dataset_ids or scope.domain_id):
        return
    q = Q(product_id__in=scope.product_ids) | Q(dataset_id__in=scope.dataset_ids)
    if scope.domain_slugs:
        q |= Q(domain__slug__in=scope.domain_slugs)
    rows = Follow.objects.filter(q).values_list("user_id", "target", "product__slug", "domain__slug", "dataset__name")
    rec.add("follower", [(u, f"you follow {t} {p or d or ds}") for u, t, p, d, ds in rows])


def consumers(scope: Scope, rec: Recipients) -> None:
    """Owners of products whose input ports consume the output ports (or their datasets)."""
    from apps.catalog.models import Port, PortDirection

    if not scope.output_port_ids and not scope.dataset_ids:
        return
    inputs = (
        Port.objects.filter(direction=PortDirection.INPUT)
        .filter(Q(upstream_port_id__in=scope.output_port_ids) | Q(port_datasets__dataset_id__in=scope.dataset_ids))
        .exclude(product_id__in=scope.product_ids)
    )
    via: dict[int, str] = {}
    for product_id, slug, name, upstream_id in inputs.values_list(
        "product_id", "product__slug", "name", "upstream_port_id"
    ).distinct():
        what = scope.labels.get(("port", upstream_id)) or "it"
        via.setdefault(product_id, f"you consume {what} through {slug}:{name}")
    if via:  # a subquery, not a list of hundreds of ids
        rec.add("consumer", _owner_rows(Q(product_id__in=inputs.values("product_id")), lambda p, _d, _r: via[p]))


def grant_holders(scope: Scope, rec: Recipients) -> None:
    from apps.governance.models import AccessGrant

    if not scope.output_port_ids:
        return
    now = timezone.now()
    rows = (
        AccessGrant.objects.filter(port_id__in=scope.output_port_ids, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values_list("user_id", "port_id")
    )
    rec.add("grant", [(u, f"you hold access to {scope.labels.get(('port', p), 'it')}") for u, p in rows])


def lineage_owners(scope: Scope, rec: Recipients) -> None:
    """Owners (and followers) of datasets built from the scope's datasets, a few hops deep."""
    from apps.catalog.models import ColumnLineageEdge, LineageEdge, PortDataset
    from apps.events.models import Follow

    frontier, seen = set(scope.dataset_ids), set(scope.dataset_ids)
    reached: dict[int, int] = {}  # downstream dataset → the scope dataset it came from
    origin = {d: d for d in scope.dataset_ids}
    for _ in range(LINEAGE_MAX_HOPS):
        if not frontier:
            break
        edges = set(LineageEdge.objects.filter(upstream_id__in=frontier).values_list("upstream_id", "downstream_id"))
        edges |= set(
            ColumnLineageEdge.objects.filter(upstream__dataset_id__in=frontier).values_list(
                "upstream__dataset_id", "downstream__dataset_id"
            )
        )
        nxt = set()
        for up, down in edges:
            if down not in seen:
                seen.add(down)
                nxt.add(down)
                origin[down] = origin.get(up, up)
                reached[down] = origin[down]
        frontier = nxt
    if not reached:
        return
    names = dict(PortDataset.objects.filter(dataset_id__in=list(reached)).values_list("dataset_id", "dataset__name"))
    owning = {}
    for ds_id, product_id, slug in PortDataset.objects.filter(
        dataset_id__in=list(reached), port__direction="output"
    ).values_list("dataset_id", "port__product_id", "port__product__slug"):
        src = scope.labels.get(("dataset", reached[ds_id]), "it")
        owning.setdefault(product_id, f"you own {slug}, whose {names.get(ds_id, 'dataset')} is built from {src}")
    if owning:
        rec.add("lineage", _owner_rows(Q(product_id__in=list(owning)), lambda p, _d, _r: owning[p]))
    rows = Follow.objects.filter(dataset_id__in=list(reached)).values_list("user_id", "dataset__name")
    rec.add("lineage", [(u, f"you follow {n}, built from this dataset") for u, n in rows])


def lab_users(scope: Scope, rec: Recipients) -> None:
    from apps.lab.models import QueryRun

    if not scope.product_ids and not scope.output_port_ids:
        return
    since = timezone.now() - LAB_WINDOW
    rows = (
        QueryRun.objects.filter(created_at__gte=since, user_id__isnull=False)
        .filter(Q(port_id__in=scope.output_port_ids) | Q(product_id__in=scope.product_ids))
        .values_list("user_id", "product__slug")
        .distinct()
    )
    rec.add("lab", [(u, f"you queried {slug or 'it'} in the lab in the last 30 days") for u, slug in rows])


def direct(event, rec: Recipients) -> None:
    ids = [i for i in (event.data or {}).get("notify_user_ids", []) if isinstance(i, int)]
    label = "this is about your access request" if event.type.startswith("mesh.access.") else "this is about you"
    rec.add("direct", [(i, label) for i in ids])


def staff(event, rec: Recipients) -> None:
    if event.type.startswith("mesh.harvest."):
        rows = get_user_model().objects.filter(is_staff=True, is_active=True).values_list("pk", flat=True)
        rec.add("staff", [(u, "you operate the catalog's sources") for u in rows])


def recipients_for(event) -> dict[int, tuple[str, str]]:
    scope = resolve_scope(event)
    rec = Recipients()
    direct(event, rec)
    owners_of_products(scope, rec)
    owners_of_domain(scope, rec)
    if not event.type.startswith(OWNERS_ONLY):  # access requests are the owners' business
        consumers(scope, rec)
        grant_holders(scope, rec)
        if is_downstream(event):
            lineage_owners(scope, rec)
            lab_users(scope, rec)
        followers(scope, rec)
    staff(event, rec)
    rec.by_user.pop(event.actor_id, None)  # nobody is told of their own change
    return rec.by_user


# --- preferences and storage ------------------------------------------------------------------------


def apply_preferences(event_type: str, user_ids) -> dict[int, tuple[bool, str]]:
    """user id → (in_app, email mode); a type-specific preference wins over the blank one."""
    from apps.events.models import DeliveryMode, Preference

    chosen: dict[int, tuple[bool, str]] = dict.fromkeys(user_ids, (True, DeliveryMode.OFF))
    rows = Preference.objects.filter(event_type__in=["", event_type])
    if len(chosen) <= BIG_AUDIENCE:  # else every preference of the type: fewer rows than a huge IN list costs
        rows = rows.filter(user_id__in=list(chosen))
    for user_id, _etype, in_app, email in sorted(
        rows.values_list("user_id", "event_type", "in_app", "email"), key=lambda r: r[1] != ""
    ):  # blank first, the type-specific one wins
        if user_id in chosen:
            chosen[user_id] = (in_app, email)
    return chosen


def inactive_users(user_ids) -> set[int]:
    """Deactivated accounts among ``user_ids`` (few, so a large audience asks for all of them)."""
    if not user_ids:
        return set()
    qs = get_user_model().objects.filter(is_active=False)
    if len(user_ids) <= BIG_AUDIENCE:
        qs = qs.filter(pk__in=list(user_ids))
    return set(qs.values_list("pk", flat=True))


def memo_key(event) -> tuple:
    """Events with equal keys have the same recipients (a burst of edits to one product)."""
    d = event.data or {}
    return (
        event.type,
        event.actor_id,
        d.get("product_id"),
        d.get("port_id"),
        d.get("dataset_id"),
        d.get("domain_id"),
        bool(d.get("breaking")),
        tuple(d.get("notify_user_ids") or ()),
    )


def plan_notifications(event, memo: dict | None = None) -> list:
    """The unsaved notifications of ``event``; ``memo`` shares resolution across a batch."""
    from apps.events.models import DeliveryMode, Notification

    key = memo_key(event)
    if memo is not None and key in memo:
        planned = memo[key]
    else:
        found = recipients_for(event)
        active = set(found) - inactive_users(found)
        prefs = apply_preferences(event.type, active) if active else {}
        planned = []
        for user_id in active:
            in_app, email = prefs[user_id]
            if in_app or email != DeliveryMode.OFF:
                planned.append((user_id, *found[user_id], in_app, email))
        if memo is not None:
            memo[key] = planned
    return [
        Notification(event=event, user_id=u, reason_code=code, reason=reason, in_app=in_app, email=email)
        for u, code, reason, in_app, email in planned
    ]


def store_notifications(events, rows, deliveries: dict[int, int] | None = None) -> None:
    """Bulk-insert ``rows`` and mark ``events`` routed, in the caller's transaction."""
    from apps.events import cache
    from apps.events.models import EventRoute, Notification

    counts: dict[int, int] = {}
    for r in rows:
        counts[r.event_id] = counts.get(r.event_id, 0) + 1
    Notification.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    EventRoute.objects.bulk_create(
        [
            EventRoute(event=e, recipients=counts.get(e.pk, 0), deliveries=(deliveries or {}).get(e.pk, 0))
            for e in events
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    told = list({r.user_id for r in rows if r.in_app})
    transaction.on_commit(lambda: cache.forget_unread(told))


def route_event(event) -> list:
    """Write the notifications of ``event`` (idempotent) and return them (unsaved)."""
    rows = plan_notifications(event)
    with transaction.atomic():
        store_notifications([event], rows)
    return rows
