"""The data product page and its lazily loaded sections (schema, quality, consumers).

The page itself runs a fixed number of queries whatever the number of ports, datasets or
columns: heavy sections (schema of the output datasets, quality, lineage) load as htmx
fragments, each paginated or capped, so a product with 50 ports × 200 columns opens as
fast as a small one.
"""

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404, render

from apps.catalog.annotations import product_notices
from apps.catalog.models import (
    Column,
    DataProduct,
    Dataset,
    Ownership,
    Port,
    PortDirection,
    QualityCheck,
    QualityResult,
)
from apps.catalog.permissions import can_edit_product
from apps.catalog.views.common import reader_required, render_partial_or_page
from apps.catalog.views.extensions import badges_for, sections_for
from apps.core.history import history_for

SCHEMA_DATASETS_PER_PAGE = 10
COLUMNS_PER_PAGE = 100
QUALITY_CHECKS_LIMIT = 200
PORTS_SHOWN = 12  # more output ports load on demand: a 50-port product opens as fast as a small one


def product_queryset():
    return DataProduct.objects.select_related("domain").prefetch_related("tags")


def output_datasets(product):
    """Live datasets behind the product's output ports (one query when evaluated)."""
    return Dataset.objects.filter(ports__product=product, ports__direction=PortDirection.OUTPUT).distinct()


def ports_of(product, direction: str | None = None):
    """The product's ports with their datasets (and column counts): two queries."""
    dataset_rows = Dataset.objects.only(
        "id", "namespace", "name", "short_name", "kind", "platform", "removed_at"
    ).annotate(column_count=Count("columns"))
    ports = Port.objects.filter(product=product)
    if direction:
        ports = ports.filter(direction=direction)
    return (
        ports.select_related("upstream_port__product")
        .prefetch_related(Prefetch("datasets", queryset=dataset_rows))
        .order_by("direction", "name")
    )


def product_context(request, product) -> dict:
    ports = list(ports_of(product))
    owners = list(Ownership.objects.filter(product=product).select_related("user", "team"))
    consumers = list(
        Port.objects.filter(upstream_port__product=product)
        .select_related("product", "upstream_port")
        .order_by("product__name", "name")
    )
    recent_changes = list(history_for(product)[:5])
    outputs = [p for p in ports if p.direction == PortDirection.OUTPUT]
    show_all = request.GET.get("ports") == "all"
    return {
        "product": product,
        "output_ports": outputs if show_all else outputs[:PORTS_SHOWN],
        "output_port_count": len(outputs),
        "hidden_output_ports": 0 if show_all else max(0, len(outputs) - PORTS_SHOWN),
        "input_ports": [p for p in ports if p.direction == PortDirection.INPUT],
        "owners": owners,
        "consumers": consumers,
        "recent_changes": recent_changes,
        "can_edit": can_edit_product(request.user, product),
        "notices": product_notices(product),  # e.g. a classification conflict (apps.privacy)
        "extra_sections": sections_for(product),
        "header_badges": badges_for([product.pk]).get(product.pk, []),
    }


@reader_required
def product_detail(request, slug):
    product = get_object_or_404(product_queryset(), slug=slug)
    return render(request, "catalog/product_detail.html", product_context(request, product))


@reader_required
def product_more_ports(request, slug):
    """The output ports after the first ``PORTS_SHOWN`` (htmx fragment)."""
    product = get_object_or_404(product_queryset(), slug=slug)
    ports = list(ports_of(product, PortDirection.OUTPUT)[PORTS_SHOWN:])
    return render(
        request,
        "catalog/partials/port_cards.html",
        {"product": product, "output_ports": ports, "can_edit": can_edit_product(request.user, product)},
    )


@reader_required
def product_schema(request, slug):
    """The output datasets, a page at a time; each one's columns load when it is opened."""
    product = get_object_or_404(DataProduct.objects.only("id", "slug", "name"), slug=slug)
    datasets = (
        output_datasets(product)
        .only("id", "namespace", "name", "kind", "description")
        .annotate(column_count=Count("columns"))
        .order_by("name")
    )
    page = Paginator(datasets, SCHEMA_DATASETS_PER_PAGE).get_page(request.GET.get("page"))
    return render_partial_or_page(
        request,
        "catalog/partials/product_schema.html",
        "catalog/product_section.html",
        {"product": product, "page": page, "section": "schema"},
    )


@reader_required
def dataset_columns(request, pk):
    """One page of a dataset's columns (htmx fragment of the product page's schema)."""
    dataset = get_object_or_404(Dataset.objects.only("id", "name"), pk=pk)
    page = Paginator(
        Column.objects.filter(dataset=dataset)
        .only("id", "dataset_id", "name", "data_type", "nullable", "is_primary_key", "tags", "description")
        .order_by("ordinal", "name"),
        COLUMNS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    return render(request, "catalog/partials/dataset_columns.html", {"dataset": dataset, "page": page})


@reader_required
def product_quality(request, slug):
    """The latest result of every quality check on the product's output datasets."""
    product = get_object_or_404(DataProduct.objects.only("id", "slug", "name"), slug=slug)
    latest = QualityResult.objects.filter(quality_check=OuterRef("pk")).order_by("-observed_at")
    checks = list(
        QualityCheck.objects.filter(dataset__in=output_datasets(product), removed_at__isnull=True)
        .select_related("dataset")
        .only("id", "name", "column_name", "check_type", "category", "dataset__id", "dataset__name")
        .annotate(
            last_status=Subquery(latest.values("status")[:1]),
            last_observed_at=Subquery(latest.values("observed_at")[:1]),
            last_message=Subquery(latest.values("message")[:1]),
            last_failures=Subquery(latest.values("failures")[:1]),
        )
        .order_by("dataset__name", "column_name", "name")[:QUALITY_CHECKS_LIMIT]
    )
    summary: dict[str, int] = {}
    for check in checks:
        summary[check.last_status or "not_run"] = summary.get(check.last_status or "not_run", 0) + 1
    return render_partial_or_page(
        request,
        "catalog/partials/product_quality.html",
        "catalog/product_section.html",
        {"product": product, "checks": checks, "summary": summary, "section": "quality", "limit": QUALITY_CHECKS_LIMIT},
    )
