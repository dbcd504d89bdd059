"""The server-side lineage layout: left to right, capped, expandable, cycle-safe."""

import pytest

from apps.catalog.lineage_graph import MAX_NODES, GraphEdge, GraphNode, build_dataset_graph, layout
from apps.catalog.models import Dataset, LineageEdge, LineageEvidence

pytestmark = pytest.mark.django_db


def chain_with_fan(n_fan: int):
    """a → b → c, plus ``n_fan`` datasets all feeding b."""
    rows = Dataset.objects.bulk_create(
        [
            Dataset(namespace="pg://x", name=n, short_name=n, platform="postgres")
            for n in ("a", "b", "c", *(f"f{i:04}" for i in range(n_fan)))
        ]
    )
    by_name = {d.name: d for d in rows}
    edges = [("a", "b"), ("b", "c"), *((f"f{i:04}", "b") for i in range(n_fan))]
    LineageEdge.objects.bulk_create(
        [LineageEdge(upstream=by_name[u], downstream=by_name[d], evidence=LineageEvidence.MANUAL) for u, d in edges]
    )
    return by_name


def test_upstream_is_left_of_downstream():
    ds = chain_with_fan(0)
    graph = build_dataset_graph({ds["b"].pk})
    x = {n.label: n.x for n in graph.nodes}
    assert x["a"] < x["b"] < x["c"]
    assert {(e.source, e.target) for e in graph.edges} == {
        (f"d{ds['a'].pk}", f"d{ds['b'].pk}"),
        (f"d{ds['b'].pk}", f"d{ds['c'].pk}"),
    }


def test_one_hop_by_default_and_expanding_shows_the_next_hop():
    ds = chain_with_fan(0)
    first = build_dataset_graph({ds["a"].pk})
    assert {n.label for n in first.nodes} == {"a", "b"}
    b = next(n for n in first.nodes if n.label == "b")
    assert b.hidden_neighbours == 1  # c is not drawn yet
    expanded = build_dataset_graph({ds["a"].pk}, expand={ds["b"].pk})
    assert {n.label for n in expanded.nodes} == {"a", "b", "c"}


def test_a_huge_neighbourhood_is_capped(django_assert_max_num_queries):
    ds = chain_with_fan(MAX_NODES + 200)
    with django_assert_max_num_queries(8):
        graph = build_dataset_graph({ds["b"].pk})
    assert graph.truncated and len(graph.nodes) <= MAX_NODES + 1
    assert graph.height > 0 and all(e.path.startswith("M") for e in graph.edges)


def test_cycles_are_laid_out_without_error():
    nodes = [GraphNode(key=k, pk=i, label=k, sublabel="", url="#", kind="dataset") for i, k in enumerate("xyz")]
    graph = layout(nodes, [GraphEdge("x", "y"), GraphEdge("y", "z"), GraphEdge("z", "x")])
    assert len(graph.nodes) == 3 and len(graph.edges) == 3
