"""Cost pages: the product panel, the domain roll-up, the mesh page for the platform team."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.catalog.models import DataProduct, Domain
from apps.catalog.permissions import can_edit_product
from apps.catalog.views.common import action_error_context, login_required_403, reader_required
from apps.core.actors import is_admin
from apps.core.errors import ActionError
from apps.costs import actions, reports
from apps.costs.charts import HEIGHT, WIDTH, month_bars
from apps.costs.models import Budget, CostImport


def _chart(report):
    if report.is_empty:
        return None
    if report.converted is not None:
        return {"currency": report.display_currency, "bars": month_bars(report.months, report.converted)}
    currency = report.currencies[0]
    return {"currency": currency, "bars": month_bars(report.months, report.by_month[currency])}


@reader_required
def product_panel(request, slug):
    product = get_object_or_404(DataProduct.objects.select_related("domain"), slug=slug)
    report = reports.product_costs(product, months=12)
    context = {
        "product": product,
        "report": report,
        "chart": _chart(report),
        "chart_size": (WIDTH, HEIGHT),
        "consumers": reports.cost_per_consumer(product),
        "budget": Budget.objects.filter(product=product).first(),
        "can_edit": can_edit_product(request.user, product),
    }
    return render(request, "costs/product_panel.html", context)


@reader_required
def domain_panel(request, slug):
    domain = get_object_or_404(Domain, slug=slug)
    report = reports.domain_costs(domain, months=12)
    context = {
        "domain": domain,
        "report": report,
        "chart": _chart(report),
        "chart_size": (WIDTH, HEIGHT),
        "top": reports.top_products(domain),
    }
    return render(request, "costs/domain_panel.html", context)


@login_required_403
@require_POST
def budget_edit(request, slug):
    product = get_object_or_404(DataProduct, slug=slug)
    try:
        actions.set_budget(
            request.user, product, amount=request.POST.get("amount") or None, currency=request.POST.get("currency", "")
        )
        messages.success(request, "Budget saved.")
    except ActionError as exc:
        for messages_ in action_error_context(exc).values():
            for message in messages_:
                messages.error(request, message)
    return redirect(f"{product.get_absolute_url()}#costs")


PAGE_LINES = 25  # the page shows the largest lines; the REST API lists up to 200


@login_required_403
def mesh_costs(request):
    """The platform team's page: recent imports, unattributed totals and lines, an upload form."""
    if not is_admin(request.user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Only the platform team sees the mesh's billing.")
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "Choose a billing file to import.")
        else:
            try:
                result = actions.import_costs(
                    request.user,
                    upload.file,
                    fmt=request.POST.get("format", "focus"),
                    source_name=request.POST.get("source", ""),
                    file_name=upload.name,
                    size=upload.size,
                )
                if result.status == "succeeded":
                    messages.success(request, f"Imported {result.line_count} lines from {upload.name}.")
                else:
                    messages.error(request, "; ".join(e["message"] for e in result.errors))
            except ActionError as exc:
                messages.error(request, exc.message)
        return redirect("costs:mesh")
    context = {
        "imports": CostImport.objects.all()[:20],
        "unattributed": reports.unattributed(limit=PAGE_LINES),
        "page_lines": PAGE_LINES,
        "max_upload": getattr(settings, "MESH_COST_MAX_UPLOAD_BYTES", actions.DEFAULT_MAX_BYTES),
    }
    return render(request, "costs/mesh.html", context)
