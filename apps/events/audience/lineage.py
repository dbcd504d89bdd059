"""Downstream audiences: owners and followers of datasets built from the batch's datasets."""

from collections import defaultdict

from django.db.models import Q

from apps.events.audience.scope import Scope, union
from apps.events.audience.sources import ownerships

LINEAGE_MAX_HOPS = 5


def _downstream_graph(start: set) -> dict[int, set]:
    """Lineage edges (table and column) out of ``start``, ``LINEAGE_MAX_HOPS`` deep: one query pair per hop."""
    from apps.catalog.models import ColumnLineageEdge, LineageEdge

    graph: dict[int, set] = defaultdict(set)
    frontier, seen = set(start), set(start)
    for _ in range(LINEAGE_MAX_HOPS):
        if not frontier:
            break
        edges = set(LineageEdge.objects.filter(upstream_id__in=frontier).values_list("upstream_id", "downstream_id"))
        edges |= set(
            ColumnLineageEdge.objects.filter(upstream__dataset_id__in=frontier).values_list(
                "upstream__dataset_id", "downstream__dataset_id"
            )
        )
        for up, down in edges:
            graph[up].add(down)
        frontier = {down for _up, down in edges} - seen
        seen |= frontier
    return graph


def _reached(graph: dict[int, set], start: set) -> dict[int, int]:
    """Downstream dataset → the start dataset it was reached from, ``LINEAGE_MAX_HOPS`` deep."""
    frontier, seen = set(start), set(start)
    origin = {d: d for d in start}
    reached: dict[int, int] = {}
    for _ in range(LINEAGE_MAX_HOPS):
        nxt = set()
        for up in sorted(frontier):
            for down in sorted(graph.get(up, ())):
                if down not in seen:
                    seen.add(down)
                    nxt.add(down)
                    origin[down] = reached[down] = origin[up]
        frontier = nxt
    return reached


def lineage_owners(scopes: list[Scope]) -> None:
    """Owners (and followers) of datasets built from the scopes' datasets, a few hops deep."""
    from apps.catalog.models import PortDataset
    from apps.events.models import Follow

    scopes = [s for s in scopes if s.dataset_ids]
    if not scopes:
        return
    graph = _downstream_graph(union(scopes, "dataset_ids"))
    reached_of = {id(s): _reached(graph, s.dataset_ids) for s in scopes}
    every = {d for reached in reached_of.values() for d in reached}
    if not every:
        return
    names, published = {}, defaultdict(list)
    for ds_id, name, direction, product_id, slug in (
        PortDataset.objects.filter(dataset_id__in=every)
        .order_by("dataset_id", "port__product_id")
        .values_list("dataset_id", "dataset__name", "port__direction", "port__product_id", "port__product__slug")
    ):
        names[ds_id] = name
        if direction == "output":
            published[ds_id].append((product_id, slug))
    owners = defaultdict(list)
    products = {p for rows in published.values() for p, _slug in rows}
    for user_id, product_id, *_ in ownerships(Q(product_id__in=products)) if products else ():
        owners[product_id].append(user_id)
    follows = defaultdict(list)
    for user_id, ds_id, name in Follow.objects.filter(dataset_id__in=every).values_list(
        "user_id", "dataset_id", "dataset__name"
    ):
        follows[ds_id].append((user_id, f"you follow {name}, built from this dataset"))
    for s in scopes:
        reached = reached_of[id(s)]
        owning: dict[int, str] = {}
        for ds_id in sorted(reached):
            src = s.labels.get(("dataset", reached[ds_id]), "it")
            for product_id, slug in published[ds_id]:
                owning.setdefault(
                    product_id, f"you own {slug}, whose {names.get(ds_id, 'dataset')} is built from {src}"
                )
        s.rec.add("lineage", [(u, why) for p, why in owning.items() for u in owners[p]])
        s.rec.add("lineage", [row for ds_id in sorted(reached) for row in follows[ds_id]])
