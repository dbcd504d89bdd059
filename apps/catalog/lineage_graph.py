"""Lineage neighbourhoods laid out on the server (layered, left to right) for SVG pages.

Two graphs: datasets linked by ``LineageEdge``, and products linked by consumed ports and
by lineage between their output datasets. A page never asks for the whole mesh: it asks
for the neighbourhood of a focus (``depth`` hops upstream and downstream, plus the
neighbours of nodes the reader expanded), capped at ``MAX_NODES``. Each hop is one
set-based query. The layout is a classic layered drawing: layers by longest path on the
condensed DAG, a few barycenter sweeps to reduce crossings, Bézier edges.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse

from apps.catalog.models import ColumnLineageEdge, DataProduct, Dataset, LineageEdge, Port, PortDirection

MAX_NODES = 500
NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 220, 46, 90, 18, 16
LABEL_CHARS = 28


@dataclass
class GraphNode:
    """A box on the drawing: a dataset or a product, with its position."""

    key: str
    pk: int
    label: str
    sublabel: str
    url: str
    kind: str
    focus: bool = False
    removed: bool = False
    hidden_neighbours: int = 0
    highlighted: bool = False
    columns: list[str] = field(default_factory=list)
    x: float = 0
    y: float = 0

    @property
    def short_label(self) -> str:
        """What fits in the box: a dataset as ``schema.table`` (the full name is the box's
        title), and a long name shortened in the middle so both ends stay readable."""
        label = self.label
        if self.kind == "dataset" and label.count(".") >= 2:
            label = ".".join(label.split(".")[-2:])
        if len(label) <= LABEL_CHARS:
            return label
        head = (LABEL_CHARS - 1) // 2
        return label[:head] + "…" + label[-(LABEL_CHARS - 1 - head) :]

    @property
    def label_needs_squeeze(self) -> bool:
        """Long labels are drawn with a fixed text length so they never spill out of the box."""
        return len(self.short_label) > 24


@dataclass
class GraphEdge:
    """An arrow from ``source`` to ``target`` (node keys) with its SVG path."""

    source: str
    target: str
    path: str = ""
    highlighted: bool = False


@dataclass
class LineageGraph:
    """A laid-out neighbourhood, ready for ``lineage/graph.svg.html``."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]
    width: float
    height: float
    truncated: bool = False
    node_w: int = NODE_W
    node_h: int = NODE_H


# --- neighbourhoods ---------------------------------------------------------------------


def _walk(adjacent, start: set[int], depth: int, cap: int) -> tuple[set[int], set[tuple[int, int]], bool]:
    """Breadth-first walk; ``adjacent(frontier)`` returns (upstream, downstream) pairs touching it.

    Stops adding nodes at ``cap`` (and says so) rather than drawing an unreadable hairball.
    """
    nodes, edges, frontier, truncated = set(start), set(), set(start), False
    for _ in range(depth):
        if not frontier:
            break
        new_nodes: set[int] = set()
        for up, down in sorted(adjacent(frontier)):
            new = {up, down} - nodes - new_nodes
            if new and len(nodes) + len(new_nodes) + len(new) > cap:
                truncated = True
                continue
            edges.add((up, down))
            new_nodes |= new
        nodes |= new_nodes
        frontier = new_nodes
    return nodes, edges, truncated


def dataset_neighbourhood(focus: set[int], *, depth: int = 1, expand: set[int] = frozenset(), cap: int = MAX_NODES):
    """Dataset ids and edges: ``depth`` hops up and down from ``focus``, one hop around ``expand``."""

    def upstream_of(frontier):
        return set(
            LineageEdge.objects.filter(downstream_id__in=frontier)
            .values_list("upstream_id", "downstream_id")
            .distinct()[: cap * 4]
        )

    def downstream_of(frontier):
        return set(
            LineageEdge.objects.filter(upstream_id__in=frontier)
            .values_list("upstream_id", "downstream_id")
            .distinct()[: cap * 4]
        )

    up_nodes, up_edges, t1 = _walk(upstream_of, set(focus), depth, cap)
    down_nodes, down_edges, t2 = _walk(downstream_of, set(focus), depth, cap)
    nodes, edges = up_nodes | down_nodes, up_edges | down_edges
    truncated = t1 or t2
    if expand:
        around = set(
            LineageEdge.objects.filter(Q(upstream_id__in=expand) | Q(downstream_id__in=expand))
            .values_list("upstream_id", "downstream_id")
            .distinct()[: cap * 2]
        )
        for up, down in around:
            if len(nodes | {up, down}) > cap:
                truncated = True
                break
            nodes |= {up, down}
            edges.add((up, down))
    # Edges among the shown nodes that no walk crossed (e.g. between two expanded branches).
    if len(nodes) > 1:
        edges |= set(
            LineageEdge.objects.filter(upstream_id__in=nodes, downstream_id__in=nodes)
            .values_list("upstream_id", "downstream_id")
            .distinct()
        )
    return nodes, edges, truncated


def product_edges() -> set[tuple[int, int]]:
    """Producer → consumer pairs of products, from consumed ports and output-dataset lineage."""
    consumed = Port.objects.filter(direction=PortDirection.INPUT, upstream_port__isnull=False).values_list(
        "upstream_port__product_id", "product_id"
    )
    via_lineage = (
        LineageEdge.objects.filter(
            upstream__port_links__port__direction=PortDirection.OUTPUT,
            downstream__port_links__port__direction=PortDirection.OUTPUT,
        )
        .values_list("upstream__port_links__port__product_id", "downstream__port_links__port__product_id")
        .distinct()
    )
    return {(u, d) for u, d in [*consumed, *via_lineage] if u != d}


def product_neighbourhood(focus: set[int], *, depth: int = 1, expand: set[int] = frozenset(), cap: int = MAX_NODES):
    import networkx as nx  # here, not at module level: catalog views load at every start-up

    all_edges = product_edges()
    graph = nx.DiGraph(all_edges)
    graph.add_nodes_from(focus)
    nodes, truncated = set(focus), False
    for direction in (graph.predecessors, graph.successors):
        frontier = set(focus)
        for _ in range(depth):
            frontier = {n for f in frontier if f in graph for n in direction(f)} - nodes
            nodes |= frontier
    for pk in expand:
        if pk in graph:
            nodes |= set(graph.predecessors(pk)) | set(graph.successors(pk)) | {pk}
    if len(nodes) > cap:
        nodes, truncated = set(sorted(nodes, key=lambda n: (n not in focus, n))[:cap]), True
    edges = {(u, d) for u, d in all_edges if u in nodes and d in nodes}
    degree = defaultdict(int)
    for u, d in all_edges:
        degree[u] += 1
        degree[d] += 1
    return nodes, edges, truncated, degree


def column_lineage(column_id: int, *, max_hops: int = 20, cap: int = 2000) -> tuple[set[int], set[tuple[int, int]]]:
    """Every column upstream and downstream of ``column_id`` and the edges between them."""
    columns, edges = {column_id}, set()
    for field_from, field_to in (("downstream_id", "upstream_id"), ("upstream_id", "downstream_id")):
        frontier = {column_id}
        for _ in range(max_hops):
            rows = ColumnLineageEdge.objects.filter(**{f"{field_from}__in": frontier}).values_list(
                "upstream_id", "downstream_id"
            )[:cap]
            new = set()
            for up, down in rows:
                edges.add((up, down))
                new.add(up if field_to == "upstream_id" else down)
            frontier = new - columns
            columns |= new
            if not frontier or len(columns) > cap:
                break
    return columns, edges


# --- building laid-out graphs -----------------------------------------------------------


def build_dataset_graph(
    focus: set[int], *, depth: int = 1, expand: set[int] = frozenset(), column_id: int | None = None
) -> LineageGraph:
    highlighted_columns: dict[int, list[str]] = defaultdict(list)
    highlighted_datasets: set[int] = set()
    if column_id:
        from apps.catalog.models import Column

        column_ids, _ = column_lineage(column_id)
        for dataset_id, name in Column.objects.filter(pk__in=column_ids).values_list("dataset_id", "name"):
            highlighted_columns[dataset_id].append(name)
        highlighted_datasets = set(highlighted_columns)
        expand = set(expand) | highlighted_datasets
    ids, edges, truncated = dataset_neighbourhood(set(focus), depth=depth, expand=expand)
    ids |= highlighted_datasets
    rows = Dataset.objects.filter(pk__in=ids).only("id", "name", "namespace", "platform", "kind", "removed_at")
    up_degree = dict(
        LineageEdge.objects.filter(downstream_id__in=ids)
        .values("downstream_id")
        .annotate(n=Count("upstream_id", distinct=True))
        .values_list("downstream_id", "n")
    )
    down_degree = dict(
        LineageEdge.objects.filter(upstream_id__in=ids)
        .values("upstream_id")
        .annotate(n=Count("downstream_id", distinct=True))
        .values_list("upstream_id", "n")
    )
    shown_degree = defaultdict(int)
    for up, down in edges:
        shown_degree[up] += 1
        shown_degree[down] += 1
    nodes = [
        GraphNode(
            key=f"d{d.pk}",
            pk=d.pk,
            label=d.name,
            sublabel=f"{d.platform} · {d.get_kind_display()}",
            url=reverse("catalog:dataset_detail", args=[d.pk]),
            kind="dataset",
            focus=d.pk in focus,
            removed=d.removed_at is not None,
            hidden_neighbours=max(0, up_degree.get(d.pk, 0) + down_degree.get(d.pk, 0) - shown_degree[d.pk]),
            highlighted=d.pk in highlighted_datasets,
            columns=sorted(highlighted_columns.get(d.pk, [])),
        )
        for d in rows
    ]
    graph_edges = [
        GraphEdge(f"d{u}", f"d{d}", highlighted=u in highlighted_datasets and d in highlighted_datasets)
        for u, d in edges
        if u in ids and d in ids
    ]
    return layout(nodes, graph_edges, truncated=truncated)


def build_product_graph(focus: set[int], *, depth: int = 1, expand: set[int] = frozenset()) -> LineageGraph:
    ids, edges, truncated, degree = product_neighbourhood(set(focus), depth=depth, expand=expand)
    shown_degree = defaultdict(int)
    for up, down in edges:
        shown_degree[up] += 1
        shown_degree[down] += 1
    rows = (
        DataProduct.objects.filter(pk__in=ids)
        .select_related("domain")
        .only("id", "slug", "name", "lifecycle", "domain__name")
    )
    nodes = [
        GraphNode(
            key=f"p{p.pk}",
            pk=p.pk,
            label=p.name,
            sublabel=f"{p.domain.name} · {p.get_lifecycle_display()}",
            url=p.get_absolute_url(),
            kind="product",
            focus=p.pk in focus,
            removed=p.lifecycle == "retired",
            hidden_neighbours=max(0, degree[p.pk] - shown_degree[p.pk]),
        )
        for p in rows
    ]
    return layout(nodes, [GraphEdge(f"p{u}", f"p{d}") for u, d in edges], truncated=truncated)


# --- layout -----------------------------------------------------------------------------


def layout(nodes: list[GraphNode], edges: list[GraphEdge], *, truncated: bool = False, sweeps: int = 4) -> LineageGraph:
    """Layered left-to-right layout: longest-path layers, barycenter ordering, Bézier edges."""
    if not nodes:
        return LineageGraph([], [], 0, 0, truncated)
    import networkx as nx

    by_key = {n.key: n for n in nodes}
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(by_key, key=lambda k: by_key[k].label))
    graph.add_edges_from((e.source, e.target) for e in edges if e.source in by_key and e.target in by_key)
    # Cycles (possible in hand-made lineage) collapse into one layer via the condensation.
    dag = nx.condensation(graph)
    layer_of: dict[str, int] = {}
    for depth, generation in enumerate(nx.topological_generations(dag)):
        for component in generation:
            for key in dag.nodes[component]["members"]:
                layer_of[key] = depth
    # Pull sources right next to their first consumer so that short chains stay compact.
    for key in sorted(layer_of, key=lambda k: -layer_of[k]):
        successors = [layer_of[s] for s in graph.successors(key) if layer_of[s] > layer_of[key]]
        if successors and graph.in_degree(key) == 0:
            layer_of[key] = min(successors) - 1
    layers: dict[int, list[str]] = defaultdict(list)
    for key in graph.nodes:
        layers[layer_of[key]].append(key)
    order = [layers[i] for i in sorted(layers)]
    position = {key: i for layer in order for i, key in enumerate(layer)}
    for sweep in range(sweeps):
        forward = sweep % 2 == 0
        sequence = order[1:] if forward else order[-2::-1]
        for layer in sequence:
            neighbours = graph.predecessors if forward else graph.successors

            def barycenter(key, neighbours=neighbours):
                ns = [position[n] for n in neighbours(key)]
                return sum(ns) / len(ns) if ns else position[key]

            layer.sort(key=barycenter)
            for i, key in enumerate(layer):
                position[key] = i
    tallest = max(len(layer) for layer in order)
    for column, layer in enumerate(order):
        offset = (tallest - len(layer)) * (NODE_H + GAP_Y) / 2
        for row, key in enumerate(layer):
            node = by_key[key]
            node.x = PAD + column * (NODE_W + GAP_X)
            node.y = PAD + offset + row * (NODE_H + GAP_Y)
    for edge in edges:
        a, b = by_key.get(edge.source), by_key.get(edge.target)
        if a is None or b is None:
            continue
        x1, y1, x2, y2 = a.x + NODE_W, a.y + NODE_H / 2, b.x, b.y + NODE_H / 2
        bend = max(40.0, abs(x2 - x1) / 2)
        edge.path = f"M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 - bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
    width = PAD * 2 + len(order) * NODE_W + (len(order) - 1) * GAP_X
    height = PAD * 2 + tallest * NODE_H + (tallest - 1) * GAP_Y
    ordered_nodes = sorted(nodes, key=lambda n: (n.x, n.y))
    return LineageGraph(ordered_nodes, [e for e in edges if e.path], width, height, truncated)
