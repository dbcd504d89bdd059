"""Trust pages: the product's score panel (and its header badge), leaderboard, domain roll-up, incidents.

The product page itself runs no trust query: its maturity slot loads the badge as an
htmx fragment, so the page keeps its query budget. Every page here runs a fixed number
of queries whatever the size of the mesh (the leaderboard is paginated).
"""

from django.core.paginator import Paginator
from django.db.models import Avg, Count, Exists, OuterRef
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.catalog.models import DataProduct, Domain, Port, PortDirection
from apps.catalog.permissions import can_edit_product
from apps.catalog.views.common import deny_unless, login_required_403, reader_required
from apps.core.errors import ActionError
from apps.trust import actions
from apps.trust.incidents import mttr_by
from apps.trust.models import Incident, MaturityScore, ProductMaturity, Severity
from apps.trust.quality import chart, check_histories, pass_rates
from apps.trust.rubric import PRINCIPLES, get_rubric
from apps.trust.scoring import explain

LEADERBOARD_PAGE = 50
TREND_POINTS = 60


def _upstream_incidents(product):
    """Open incidents on the products this one consumes through its input ports (one query)."""
    upstream_products = Port.objects.filter(
        product=product, direction=PortDirection.INPUT, upstream_port__isnull=False
    ).values("upstream_port__product_id")
    return list(
        Incident.objects.filter(resolved_at__isnull=True, product_id__in=upstream_products)
        .select_related("product")
        .order_by("-opened_at")[:5]
    )


@reader_required
def maturity_badge(request, slug):
    """The maturity slot of the product header: level, score, open incidents (htmx fragment)."""
    product = get_object_or_404(DataProduct.objects.only("id", "slug", "name"), slug=slug)
    maturity = ProductMaturity.objects.filter(product=product).only("score", "level", "weakest").first()
    open_incidents = list(
        Incident.objects.filter(product=product, resolved_at__isnull=True).only("id", "title", "severity")[:3]
    )
    open_count = (
        Incident.objects.filter(product=product, resolved_at__isnull=True).count()
        if len(open_incidents) == 3
        else len(open_incidents)
    )
    level = get_rubric().levels[maturity.level - 1] if maturity and maturity.level <= len(get_rubric().levels) else None
    return render(
        request,
        "trust/partials/badge.html",
        {
            "product": product,
            "maturity": maturity,
            "level": level,
            "open_incidents": open_incidents,
            "open_count": open_count,
            "upstream_incidents": _upstream_incidents(product),
        },
    )


def _trend(product) -> dict:
    points = list(
        MaturityScore.objects.filter(product=product)
        .order_by("-recorded_at", "-id")
        .values("score", "level", "recorded_at")[:TREND_POINTS]
    )[::-1]
    w, h = 240, 48
    if not points:
        return {"points": [], "path": "", "width": w, "height": h}
    step = w / max(len(points) - 1, 1)
    coords = [(round(i * step, 1), round(h - 4 - p["score"] / 100 * (h - 8), 1)) for i, p in enumerate(points)]
    return {
        "points": [{"x": x, "y": y, **p} for (x, y), p in zip(coords, points, strict=True)],
        "path": " ".join(f"{x},{y}" for x, y in coords),
        "width": w,
        "height": h,
    }


@reader_required
def product_trust(request, slug):
    """The score panel: principles, every criterion with evidence and fix, next actions, trend,
    quality by dimension, flaky checks, measured freshness and incidents."""
    from apps.trust.criteria import Scope
    from apps.trust.freshness import freshness_by_product

    product = get_object_or_404(DataProduct.objects.select_related("domain"), slug=slug)
    maturity = ProductMaturity.objects.filter(product=product).first()
    incidents = list(Incident.objects.filter(product=product).order_by("resolved_at", "-opened_at")[:20])
    by_product = mttr_by("product_id", Incident.objects.filter(product=product)).get(product.pk)
    return render(
        request,
        "trust/product.html",
        {
            "product": product,
            "explained": explain(maturity) if maturity else None,
            "principles": PRINCIPLES,
            "trend": _trend(product),
            "rates": pass_rates(product),
            "chart": chart(product),
            "histories": check_histories(product),
            "freshness": freshness_by_product(Scope([product.pk])).get(product.pk, []),
            "incidents": incidents,
            "mttr": by_product[0] if by_product else None,
            "upstream_incidents": _upstream_incidents(product),
            "can_edit": can_edit_product(request.user, product),
            "severities": Severity.choices,
        },
    )


def _rollup(products_qs) -> dict:
    """Level distribution, mean score and weakest principle of ``products_qs`` (three queries)."""
    rows = ProductMaturity.objects.filter(product__in=products_qs)
    distribution = dict(rows.values("level").annotate(n=Count("id")).values_list("level", "n"))
    mean = rows.aggregate(m=Avg("score"))["m"]
    sums: dict[str, list[float]] = {p: [] for p in PRINCIPLES}
    for principles in rows.values_list("principles", flat=True).iterator(chunk_size=2000):
        for p in PRINCIPLES:
            if principles.get(p) is not None:
                sums[p].append(principles[p])
    means = {p: (sum(v) / len(v) if v else None) for p, v in sums.items()}
    scored = {p: m for p, m in means.items() if m is not None}
    levels = get_rubric().levels
    return {
        "distribution": [{"level": lv.level, "name": lv.name, "count": distribution.get(lv.level, 0)} for lv in levels],
        "max_count": max(distribution.values(), default=0),
        "mean": mean,
        "principle_means": means,
        "weakest": min(scored, key=scored.get) if scored else "",
        "scored": sum(distribution.values()),
    }


@reader_required
def leaderboard(request):
    """Every product by score (filter by domain subtree or level), and a roll-up per top domain."""
    rows = ProductMaturity.objects.select_related("product__domain").order_by("-score", "product__name")
    level = request.GET.get("level", "")
    domain_slug = request.GET.get("domain", "")
    domain = Domain.objects.filter(slug=domain_slug).first() if domain_slug else None
    if level:
        if not level.isdigit():
            return HttpResponseBadRequest("level must be a number")
        rows = rows.filter(level=int(level))
    if domain is not None:
        rows = rows.filter(product__domain__path__startswith=domain.path)
    page = Paginator(rows, LEADERBOARD_PAGE).get_page(request.GET.get("page"))
    open_counts = dict(
        Incident.objects.filter(resolved_at__isnull=True, product_id__in=[r.product_id for r in page])
        .values("product_id")
        .annotate(n=Count("id"))
        .values_list("product_id", "n")
    )
    for row in page:
        row.open_incidents = open_counts.get(row.product_id, 0)
        row.principle_list = [row.principles.get(p) for p in PRINCIPLES]
    domains = _domain_rollups()
    return render(
        request,
        "trust/leaderboard.html",
        {
            "page": page,
            "rollup": _rollup(
                DataProduct.objects.filter(domain__path__startswith=domain.path)
                if domain
                else DataProduct.objects.all()
            ),
            "domains": domains,
            "domain": domain,
            "level": level,
            "levels": get_rubric().levels,
            "principles": PRINCIPLES,
        },
    )


def _domain_rollups() -> list[dict]:
    """One row per top-level domain: products scored, mean, level spread, weakest principle, MTTR."""
    top = list(Domain.objects.filter(depth=0).order_by("name"))
    stats = {}
    for slug, level, n, mean in (
        ProductMaturity.objects.annotate(top=_top_slug())
        .values("top", "level")
        .annotate(n=Count("id"), mean=Avg("score"))
        .values_list("top", "level", "n", "mean")
    ):
        entry = stats.setdefault(slug, {"levels": {}, "n": 0, "total": 0.0})
        entry["levels"][level] = n
        entry["n"] += n
        entry["total"] += mean * n
    mttrs = mttr_by("product__domain__path")
    out = []
    for d in top:
        entry = stats.get(d.slug, {"levels": {}, "n": 0, "total": 0.0})
        mttr_values = [v for path, v in mttrs.items() if path.startswith(d.path) and v[0] is not None]
        out.append(
            {
                "domain": d,
                "scored": entry["n"],
                "mean": entry["total"] / entry["n"] if entry["n"] else None,
                "levels": [entry["levels"].get(lv.level, 0) for lv in get_rubric().levels],
                "open": sum(v[2] for path, v in mttrs.items() if path.startswith(d.path)),
                "mttr": (sum((v[0] for v in mttr_values), start=mttr_values[0][0] * 0) / len(mttr_values))
                if mttr_values
                else None,
            }
        )
    return out


def _top_slug():
    """The slug of the top-level domain from the materialized path ``/top/child/``."""
    from django.db.models import CharField, Value
    from django.db.models.functions import StrIndex, Substr

    rest = Substr("product__domain__path", 2)
    return Substr(rest, 1, StrIndex(rest, Value("/")) - 1, output_field=CharField())


@reader_required
def domain_rollup(request, slug):
    """A domain's products by score, its level distribution, weakest principle and MTTR."""
    domain = get_object_or_404(Domain, slug=slug)
    products = DataProduct.objects.filter(domain__path__startswith=domain.path)
    rows = list(
        ProductMaturity.objects.filter(product__in=products)
        .select_related("product__domain")
        .order_by("-score", "product__name")[:500]
    )
    incidents = Incident.objects.filter(product__in=products)
    stats = mttr_by("product__domain_id", incidents)
    resolved = [v for v in stats.values() if v[0] is not None]
    mean_mttr = None
    if resolved:
        total = sum((v[0] * v[1] for v in resolved), start=resolved[0][0] * 0)
        mean_mttr = total / sum(v[1] for v in resolved)
    return render(
        request,
        "trust/domain.html",
        {
            "domain": domain,
            "rows": rows,
            "rollup": _rollup(products),
            "principles": PRINCIPLES,
            "open_incidents": incidents.filter(resolved_at__isnull=True).count(),
            "mttr": mean_mttr,
            "unscored": products.exclude(Exists(ProductMaturity.objects.filter(product=OuterRef("pk")))).count(),
        },
    )


@reader_required
def dataset_quality(request, pk):
    """One dataset's quality by dimension: rates, chart and per-check history."""
    from apps.catalog.models import Dataset

    dataset = get_object_or_404(Dataset.objects.only("id", "name", "namespace"), pk=pk)
    return render(
        request,
        "trust/dataset_quality.html",
        {
            "dataset": dataset,
            "rates": pass_rates(None, dataset.pk),
            "chart": chart(None, dataset_id=dataset.pk),
            "histories": check_histories(None, dataset_id=dataset.pk),
        },
    )


# --- Incidents -------------------------------------------------------------------------


@reader_required
def incident_detail(request, pk):
    incident = get_object_or_404(Incident.objects.select_related("product__domain", "opened_by"), pk=pk)
    return render(
        request,
        "trust/incident.html",
        {
            "incident": incident,
            "updates": list(incident.updates.all()[:200]),
            "can_edit": can_edit_product(request.user, incident.product),
            "severities": Severity.choices,
        },
    )


def _form_error(request, template_context: dict, exc: ActionError, template: str, status: int = 422):
    template_context["errors"] = [m for _, _, m in exc.errors]
    return render(request, template, template_context, status=status)


@login_required_403
@require_POST
def incident_new(request, slug):
    product = get_object_or_404(DataProduct.objects.select_related("domain"), slug=slug)
    deny_unless(can_edit_product(request.user, product), "Only the product's owners may open an incident.")
    try:
        incident = actions.open_incident(
            request.user,
            product,
            title=request.POST.get("title", ""),
            severity=request.POST.get("severity", Severity.MAJOR),
            message=request.POST.get("message", ""),
        )
    except ActionError as exc:
        return _form_error(
            request,
            {"product": product, "severities": Severity.choices, "form": request.POST},
            exc,
            "trust/partials/incident_form.html",
        )
    return redirect(incident.get_absolute_url())


@login_required_403
@require_POST
def incident_update(request, pk):
    incident = get_object_or_404(Incident.objects.select_related("product__domain"), pk=pk)
    deny_unless(can_edit_product(request.user, incident.product), "Only the product's owners may update this incident.")
    try:
        if request.POST.get("resolve"):
            actions.resolve_incident(request.user, incident, message=request.POST.get("message", ""))
        else:
            severity = request.POST.get("severity") or None
            actions.add_incident_update(
                request.user, incident, message=request.POST.get("message", ""), severity=severity
            )
    except ActionError as exc:
        return _form_error(
            request,
            {
                "incident": incident,
                "updates": list(incident.updates.all()[:200]),
                "can_edit": True,
                "severities": Severity.choices,
            },
            exc,
            "trust/incident.html",
        )
    return redirect(incident.get_absolute_url())
