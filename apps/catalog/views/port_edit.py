"""Adding, editing and removing a product's ports, with pickers for datasets and for
another product's output port. Writes go through ``apps.catalog.actions``."""

from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from apps.catalog import actions
from apps.catalog.forms import PortForm
from apps.catalog.models import Dataset, Port, PortDirection
from apps.catalog.views.common import (
    action_error_context,
    login_required_403,
    raise_if_permission,
    reader_required,
    render_partial_or_page,
)
from apps.catalog.views.product_edit import _editable_product
from apps.catalog.views.products import product_context
from apps.core.errors import ActionError

PICKER_LIMIT = 20


def _ports_block(request, product):
    if not request.htmx:
        return redirect(product.get_absolute_url() + "#ports")
    return render(request, "catalog/partials/product_ports.html", product_context(request, product))


def _form_context(product, form, port=None, errors=None) -> dict:
    """The form with the chips it shows: the linked datasets and the consumed port."""
    if form.is_bound:
        ids = [int(v) for v in form.data.getlist("datasets") if str(v).isdigit()]
        upstream_id = form.data.get("upstream_port") or None
    else:
        ids = [d.pk for d in port.datasets.all()] if port else []
        upstream_id = port.upstream_port_id if port else None
    chosen = list(Dataset.objects.filter(pk__in=ids).only("id", "namespace", "name")) if ids else []
    upstream = (
        Port.objects.select_related("product").filter(pk=upstream_id).first()
        if upstream_id and str(upstream_id).isdigit()
        else None
    )
    return {
        "product": product,
        "form": form,
        "port": port,
        "chosen_datasets": chosen,
        "upstream": upstream,
        "action_errors": errors or {},
    }


def _form_error(request, product, form, port=None, errors=None):
    """The form again with its errors; htmx puts it back in the editor, not over the ports."""
    response = render_partial_or_page(
        request,
        "catalog/forms/port_form.html",
        "catalog/product_edit_page.html",
        _form_context(product, form, port, errors),
        status=422,
    )
    if request.htmx:
        response = reswap(retarget(response, "#port-editor"), "innerHTML")
    return response


def _save(request, product, port=None):
    form = PortForm(request.POST)
    if not form.is_valid():
        return _form_error(request, product, form, port)
    data = dict(form.cleaned_data)
    upstream_id = data.pop("upstream_port")
    fields = {k: data[k] for k in ("protocol", "format", "endpoint", "description")}
    upstream = Port.objects.filter(pk=upstream_id).select_related("product").first() if upstream_id else None
    if upstream_id and upstream is None:
        return _form_error(request, product, form, port, {"upstream_port": ["That port no longer exists."]})
    try:
        if port is None:
            actions.create_port(
                request.user,
                product,
                name=data["name"],
                direction=data["direction"],
                datasets=data["datasets"],
                upstream_port=upstream,
                **fields,
            )
        else:
            actions.update_port(
                request.user,
                port,
                name=data["name"],
                direction=data["direction"],
                datasets=data["datasets"],
                upstream_port=upstream,
                **fields,
            )
    except ActionError as exc:
        raise_if_permission(exc)
        return _form_error(request, product, form, port, action_error_context(exc))
    return _ports_block(request, product)


@login_required_403
def port_new(request, slug):
    product = _editable_product(request, slug)
    if request.method == "POST":
        return _save(request, product)
    direction = (
        request.GET.get("direction") if request.GET.get("direction") in PortDirection.values else PortDirection.OUTPUT
    )
    form = PortForm(
        initial={"direction": direction, "protocol": "postgres" if direction == PortDirection.OUTPUT else "other"}
    )
    return render_partial_or_page(
        request, "catalog/forms/port_form.html", "catalog/product_edit_page.html", _form_context(product, form)
    )


@login_required_403
def port_edit(request, slug, port_id):
    product = _editable_product(request, slug)
    port = get_object_or_404(Port.objects.prefetch_related("datasets"), pk=port_id, product=product)
    if request.method == "POST":
        return _save(request, product, port)
    if request.GET.get("cancel"):
        return _ports_block(request, product)
    form = PortForm(
        initial={k: getattr(port, k) for k in ("name", "direction", "protocol", "format", "endpoint", "description")}
    )
    return render_partial_or_page(
        request, "catalog/forms/port_form.html", "catalog/product_edit_page.html", _form_context(product, form, port)
    )


@login_required_403
@require_POST
def port_delete(request, slug, port_id):
    product = _editable_product(request, slug)
    port = get_object_or_404(Port, pk=port_id, product=product)
    try:
        actions.delete_port(request.user, port)
    except ActionError as exc:
        raise_if_permission(exc)
    return _ports_block(request, product)


# --- pickers ----------------------------------------------------------------------------


@reader_required
def dataset_picker(request):
    """Datasets whose name matches what the editor typed (for linking datasets to a port)."""
    q = request.GET.get("q", "").strip()
    results = []
    if len(q) >= 2:
        results = list(
            Dataset.objects.live()
            .filter(Q(name__icontains=q) | Q(short_name__istartswith=q))
            .only("id", "namespace", "name", "kind")
            .order_by("short_name", "name")[:PICKER_LIMIT]
        )
    return render(request, "catalog/partials/picker_results.html", {"results": results, "kind": "dataset", "q": q})


@reader_required
def port_picker(request):
    """Output ports of other products, for an input port that consumes one."""
    q = request.GET.get("q", "").strip()
    results = []
    if len(q) >= 2:
        qs = Port.objects.filter(direction=PortDirection.OUTPUT).filter(
            Q(name__icontains=q) | Q(product__name__icontains=q) | Q(product__slug__icontains=q)
        )
        if request.GET.get("exclude"):
            qs = qs.exclude(product__slug=request.GET["exclude"])
        results = list(qs.select_related("product").order_by("product__name", "name")[:PICKER_LIMIT])
    return render(request, "catalog/partials/picker_results.html", {"results": results, "kind": "port", "q": q})
