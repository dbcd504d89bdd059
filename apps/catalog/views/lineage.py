"""The lineage graph page (datasets or products), expanded node by node through htmx.

The URL holds the whole state — ``focus`` (``d12`` a dataset, ``p3`` a product), ``depth``,
``expand`` (nodes whose neighbours the reader opened) and ``column`` (a column whose
lineage is highlighted) — so a drawing can be shared and the back button works.
"""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import get_object_or_404

from apps.catalog.lineage_graph import build_dataset_graph, build_product_graph
from apps.catalog.models import Column, DataProduct, Dataset, Domain
from apps.catalog.views.common import reader_required, render_partial_or_page

MAX_DEPTH = 4


def _parse_keys(raw: str, prefix: str) -> set[int]:
    keys = set()
    for part in raw.split(","):
        part = part.strip()
        if part.startswith(prefix) and part[1:].isdigit():
            keys.add(int(part[1:]))
    return keys


def _depth(request) -> int:
    try:
        return min(MAX_DEPTH, max(1, int(request.GET.get("depth", 1))))
    except ValueError:
        return 1


def lineage_url(**params) -> str:
    from django.urls import reverse

    return reverse("catalog:lineage") + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "", [])})


@reader_required
def lineage(request):
    focus_raw, depth = request.GET.get("focus", ""), _depth(request)
    expand_raw = request.GET.get("expand", "")
    context = {"depth": depth, "focus": focus_raw, "expand": expand_raw, "max_depth": MAX_DEPTH}
    domain_slug = request.GET.get("domain")
    if domain_slug:
        domain = get_object_or_404(Domain, slug=domain_slug)
        focus = set(DataProduct.objects.filter(domain__in=Domain.objects.subtree(domain)).values_list("pk", flat=True))
        graph = build_product_graph(focus, depth=depth, expand=_parse_keys(expand_raw, "p"))
        context.update(level="product", title=f"Products of {domain.name}", domain=domain)
    elif focus_raw.startswith("p"):
        focus = _parse_keys(focus_raw, "p")
        product = get_object_or_404(DataProduct, pk=next(iter(focus), 0))
        graph = build_product_graph(focus, depth=depth, expand=_parse_keys(expand_raw, "p"))
        context.update(level="product", title=f"Lineage of {product.name}", product=product)
    elif focus_raw.startswith("d"):
        focus = _parse_keys(focus_raw, "d")
        dataset = get_object_or_404(Dataset, pk=next(iter(focus), 0))
        column_id = request.GET.get("column")
        column = None
        if column_id and column_id.isdigit():
            column = Column.objects.filter(pk=int(column_id)).select_related("dataset").first()
        graph = build_dataset_graph(
            focus, depth=depth, expand=_parse_keys(expand_raw, "d"), column_id=column.pk if column else None
        )
        context.update(
            level="dataset",
            title=f"Lineage of {dataset.name}",
            dataset=dataset,
            column=column,
            columns=list(dataset.columns.only("id", "name", "dataset_id").order_by("ordinal", "name")[:500]),
        )
    else:
        raise Http404("Choose a dataset or a product to see its lineage.")
    for node in graph.nodes:
        keys = [k for k in expand_raw.split(",") if k] + [node.key]
        node.expand_url = lineage_url(
            focus=focus_raw, domain=domain_slug, depth=depth, expand=",".join(keys), column=request.GET.get("column")
        )
    # Expanding inside the standalone page updates its URL; inside a product page it must not.
    standalone = not request.htmx or "/lineage/" in (request.htmx.current_url or "")
    context.update(
        graph=graph,
        standalone=standalone,
        base_query={"focus": focus_raw, "domain": domain_slug or "", "expand": expand_raw},
    )
    return render_partial_or_page(request, "catalog/partials/lineage_graph.html", "catalog/lineage.html", context)
