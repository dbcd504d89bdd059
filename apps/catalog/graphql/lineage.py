"""Lineage walks for GraphQL: dataset-, column- and product-level, one query per hop.

A walk follows edges breadth-first from the start nodes for ``depth`` hops, in one
direction or both, and stops growing at ``MAX_NODES`` so a hub table cannot make one
request read the whole graph.
"""

from dataclasses import dataclass, field

from apps.catalog.models import ColumnLineageEdge, LineageEdge, Port, PortDataset, PortDirection

MAX_DEPTH = 10
MAX_NODES = 2000
UPSTREAM, DOWNSTREAM, BOTH = "upstream", "downstream", "both"


@dataclass
class Walk:
    """The result of a walk: node ids (with their hop distance) and edges between them."""

    distance: dict = field(default_factory=dict)  # node id -> hops from the start
    edges: dict = field(default_factory=dict)  # (upstream id, downstream id) -> [evidence...]
    truncated: bool = False


def _walk(start_ids, direction: str, depth: int, fetch) -> Walk:
    """``fetch(frontier, up: bool)`` yields (upstream, downstream, evidence) one hop away."""
    depth = max(0, min(depth, MAX_DEPTH))
    walk = Walk(distance=dict.fromkeys(start_ids, 0))
    for up in [True] if direction == UPSTREAM else [False] if direction == DOWNSTREAM else [True, False]:
        frontier = set(start_ids)
        for hop in range(1, depth + 1):
            if not frontier:
                break
            next_frontier = set()
            for upstream, downstream, evidence in fetch(frontier, up):
                walk.edges.setdefault((upstream, downstream), [])
                if evidence not in walk.edges[(upstream, downstream)]:
                    walk.edges[(upstream, downstream)].append(evidence)
                other = upstream if up else downstream
                if other not in walk.distance:
                    if len(walk.distance) >= MAX_NODES:
                        walk.truncated = True
                        continue
                    walk.distance[other] = hop
                    next_frontier.add(other)
            frontier = next_frontier
    return walk


def dataset_walk(dataset_ids, direction: str = BOTH, depth: int = 1) -> Walk:
    def fetch(frontier, up):
        key = "downstream_id__in" if up else "upstream_id__in"
        return LineageEdge.objects.filter(**{key: frontier}).values_list("upstream_id", "downstream_id", "evidence")

    return _walk(list(dataset_ids), direction, depth, fetch)


def column_walk(column_ids, direction: str = BOTH, depth: int = 1) -> Walk:
    def fetch(frontier, up):
        key = "downstream_id__in" if up else "upstream_id__in"
        return ColumnLineageEdge.objects.filter(**{key: frontier}).values_list(
            "upstream_id", "downstream_id", "transformation"
        )

    return _walk(list(column_ids), direction, depth, fetch)


def product_walk(product_ids, direction: str = BOTH, depth: int = 1) -> Walk:
    """Product A feeds product B when B's input port consumes A's output port ("port"), or a
    dataset behind A's output ports is a direct upstream of a dataset on B's ports ("dataset")."""

    def fetch(frontier, up):
        side = "product_id__in"
        if up:  # who feeds the frontier
            for product_id, upstream_product in Port.objects.filter(
                **{side: frontier}, upstream_port__isnull=False
            ).values_list("product_id", "upstream_port__product_id"):
                yield upstream_product, product_id, "port"
            mine = PortDataset.objects.filter(port__product_id__in=frontier).values_list(
                "dataset_id", "port__product_id"
            )
            mine_by_dataset = {}
            for dataset_id, product_id in mine:
                mine_by_dataset.setdefault(dataset_id, set()).add(product_id)
            edges = LineageEdge.objects.filter(downstream_id__in=list(mine_by_dataset)).values_list(
                "upstream_id", "downstream_id"
            )
            feeding = PortDataset.objects.filter(
                dataset_id__in=[u for u, _ in edges], port__direction=PortDirection.OUTPUT
            ).values_list("dataset_id", "port__product_id")
            producers = {}
            for dataset_id, product_id in feeding:
                producers.setdefault(dataset_id, set()).add(product_id)
            for upstream_id, downstream_id in edges:
                for producer in producers.get(upstream_id, ()):
                    for consumer in mine_by_dataset[downstream_id]:
                        if producer != consumer:
                            yield producer, consumer, "dataset"
        else:  # whom the frontier feeds
            for consumer, producer in Port.objects.filter(upstream_port__product_id__in=frontier).values_list(
                "product_id", "upstream_port__product_id"
            ):
                yield producer, consumer, "port"
            outputs = PortDataset.objects.filter(
                port__product_id__in=frontier, port__direction=PortDirection.OUTPUT
            ).values_list("dataset_id", "port__product_id")
            producers = {}
            for dataset_id, product_id in outputs:
                producers.setdefault(dataset_id, set()).add(product_id)
            edges = list(
                LineageEdge.objects.filter(upstream_id__in=list(producers)).values_list("upstream_id", "downstream_id")
            )
            consumers = {}
            for dataset_id, product_id in PortDataset.objects.filter(dataset_id__in=[d for _, d in edges]).values_list(
                "dataset_id", "port__product_id"
            ):
                consumers.setdefault(dataset_id, set()).add(product_id)
            for upstream_id, downstream_id in edges:
                for producer in producers[upstream_id]:
                    for consumer in consumers.get(downstream_id, ()):
                        if producer != consumer:
                            yield producer, consumer, "dataset"

    return _walk(list(product_ids), direction, depth, fetch)


__all__ = ["BOTH", "DOWNSTREAM", "MAX_DEPTH", "UPSTREAM", "Walk", "column_walk", "dataset_walk", "product_walk"]
