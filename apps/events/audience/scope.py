"""The scope of each event in a batch — products, output ports, datasets, domain path — in a handful of queries."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from apps.core.events import EVENT_TYPES

PRIORITY = ["direct", "owner", "domain_owner", "consumer", "grant", "lineage", "lab", "follower", "staff"]


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


@dataclass
class Scope:
    """What one event is about, resolved to ids: products, their output ports, datasets."""

    event: object
    product_ids: set = field(default_factory=set)
    domain_id: int | None = None
    output_port_ids: set = field(default_factory=set)
    dataset_ids: set = field(default_factory=set)
    labels: dict = field(default_factory=dict)  # ("product", id) → slug, ("port", id) → "product:port", …
    domain_slugs: list = field(default_factory=list)  # the domain and its ancestors, root first
    rec: Recipients = field(default_factory=Recipients)

    @property
    def data(self) -> dict:
        return self.event.data or {}


def is_downstream(event) -> bool:
    """Downstream routing for declared downstream types, except a non-breaking schema change."""
    event_type = EVENT_TYPES.get(event.type)
    if event_type is None or not event_type.downstream:
        return False
    if event.type == "mesh.dataset.schema_changed":
        return bool(event.data.get("breaking"))
    return True


def union(scopes, attr: str) -> set:
    return set().union(*(getattr(s, attr) for s in scopes)) if scopes else set()


def resolve_scopes(events) -> list[Scope]:
    """One ``Scope`` per event, in a handful of queries for the whole batch."""
    from apps.catalog.models import DataProduct, Domain, Port, PortDataset, PortDirection

    scopes = [Scope(event) for event in events]
    dataset_ids = {s.data["dataset_id"] for s in scopes if s.data.get("dataset_id")}
    published = defaultdict(list)  # dataset → output ports publishing it
    if dataset_ids:
        for row in PortDataset.objects.filter(
            dataset_id__in=dataset_ids, port__direction=PortDirection.OUTPUT
        ).values_list("dataset_id", "port_id", "port__product_id", "port__name", "port__product__slug"):
            published[row[0]].append(row[1:])
    for s in scopes:
        if ds := s.data.get("dataset_id"):
            s.dataset_ids.add(ds)
            s.labels[("dataset", ds)] = s.data.get("name") or s.data.get("dataset", "")
            for port_id, product_id, port_name, slug in published[ds]:
                s.output_port_ids.add(port_id)
                s.product_ids.add(product_id)
                s.labels[("port", port_id)] = f"{slug}:{port_name}"
                s.labels[("product", product_id)] = slug
    _resolve_product_ports(scopes, Port, PortDataset, PortDirection)
    products = union(scopes, "product_ids")
    domain_of = dict(DataProduct.objects.filter(pk__in=products).values_list("pk", "domain_id")) if products else {}
    for s in scopes:
        s.domain_id = s.data.get("domain_id")
        if s.domain_id is None and s.product_ids:
            s.domain_id = domain_of.get(min(s.product_ids))
    domains = {s.domain_id for s in scopes if s.domain_id is not None}
    paths = dict(Domain.objects.filter(pk__in=domains).values_list("pk", "path")) if domains else {}
    for s in scopes:
        if s.domain_id is not None:
            s.domain_slugs = [slug for slug in (paths.get(s.domain_id) or "").strip("/").split("/") if slug]
    return scopes


def _resolve_product_ports(scopes, Port, PortDataset, PortDirection) -> None:
    """Events about a product reach its output ports (or just the port named) and their datasets."""
    about = [s for s in scopes if s.data.get("product_id")]
    if not about:
        return
    product_ids = {s.data["product_id"] for s in about}
    port_ids = {s.data["port_id"] for s in about if _names_one_port(s)}
    ports = list(
        Port.objects.filter(Q(product_id__in=product_ids) | Q(pk__in=port_ids), direction=PortDirection.OUTPUT)
        .order_by("pk")
        .values_list("pk", "name", "product_id")
    )
    chosen: dict[int, list] = {}
    for s in about:
        if _names_one_port(s):
            chosen[id(s)] = [p for p in ports if p[0] == s.data["port_id"]]
        else:
            chosen[id(s)] = [p for p in ports if p[2] == s.data["product_id"]]
    wanted = {p[0] for group in chosen.values() for p in group}
    datasets = defaultdict(list)
    if wanted:
        for port_id, ds_id, name in PortDataset.objects.filter(port_id__in=wanted).values_list(
            "port_id", "dataset_id", "dataset__name"
        ):
            datasets[port_id].append((ds_id, name))
    for s in about:
        s.product_ids.add(s.data["product_id"])
        s.labels[("product", s.data["product_id"])] = s.data.get("product", "")
        for port_id, name, _product in chosen[id(s)]:
            s.output_port_ids.add(port_id)
            s.labels[("port", port_id)] = f"{s.data.get('product', '')}:{name}"
            for ds_id, ds_name in datasets[port_id]:
                s.dataset_ids.add(ds_id)
                s.labels[("dataset", ds_id)] = ds_name


def _names_one_port(scope: Scope) -> bool:
    return bool(scope.data.get("port_id")) and not scope.event.type.startswith("mesh.product.")
