"""Access request pages: ask (consumers), decide (owners), follow up (requesters)."""

from datetime import datetime, time

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from apps.catalog.models import Port, PortDirection
from apps.catalog.permissions import can_edit_product
from apps.core.errors import ActionError
from apps.governance import actions
from apps.governance.models import AccessRequest, AccessStatus


def _date_end(value: str):
    """A yyyy-mm-dd from a date input → the end of that day (aware), or None."""
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise ActionError("Use a date like 2026-12-31.", field="expires_at", code="invalid") from None
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def _pending_context(port, user) -> dict:
    pending = list(
        AccessRequest.objects.filter(port=port, status=AccessStatus.PENDING)
        .select_related("requester")
        .order_by("created_at")
    )
    return {"port": port, "product": port.product, "pending": pending}


@require_POST
def request_access(request, port_id):
    if not request.user.is_authenticated:
        return HttpResponseForbidden("Log in to request access.")
    port = get_object_or_404(Port.objects.select_related("product"), pk=port_id, direction=PortDirection.OUTPUT)
    context = {"port": port}
    try:
        context["access_request"] = actions.request_access(
            request.user,
            port,
            reason=request.POST.get("reason", ""),
            requested_until=_date_end(request.POST.get("requested_until", "")),
        )
    except ActionError as exc:
        context.update(errors=exc.as_dicts(), reason=request.POST.get("reason", ""))
        return render(request, "governance/request_form.html", context, status=422)
    if not request.htmx:
        return redirect(port.product.get_absolute_url())
    return render(request, "governance/request_sent.html", context)


@require_GET
def port_pending(request, port_id):
    """Pending requests on one output port, with the decision forms — for the product's owners only.

    Loaded by the port card on the product page; everyone else gets an empty answer.
    """
    if not request.user.is_authenticated:
        return HttpResponse("")
    port = get_object_or_404(Port.objects.select_related("product__domain"), pk=port_id, direction=PortDirection.OUTPUT)
    if not can_edit_product(request.user, port.product):
        return HttpResponse("")
    return render(request, "governance/pending_requests.html", _pending_context(port, request.user))


@require_POST
def decide(request, request_id, decision):
    req = get_object_or_404(AccessRequest.objects.select_related("port__product__domain"), pk=request_id)
    product = req.port.product
    errors = []
    try:
        if decision == "approve":
            actions.approve_request(
                request.user,
                req,
                comment=request.POST.get("comment", ""),
                expires_at=_date_end(request.POST.get("expires_at", "")),
            )
        else:
            actions.deny_request(request.user, req, comment=request.POST.get("comment", ""))
    except ActionError as exc:
        if exc.errors[0][1] == "permission_denied":
            return HttpResponseForbidden(exc.message)
        errors = exc.as_dicts()
    if not request.htmx:
        return redirect(product.get_absolute_url())
    context = _pending_context(req.port, request.user)
    context.update(
        errors=errors,
        error_request_id=req.pk,
        decided=""
        if errors
        else f"{req.requester.get_username()}: {'approved' if decision == 'approve' else 'denied'}.",
    )
    return render(request, "governance/pending_requests.html", context, status=422 if errors else 200)


@login_required
@require_GET
def my_requests(request):
    """The requester's side (every request, its status and the owners' comment) and, for
    owners, the requests waiting for their decision on the products they may edit."""
    from apps.catalog.permissions import editable_products

    waiting = (
        AccessRequest.objects.filter(status=AccessStatus.PENDING, port__product__in=editable_products(request.user))
        .select_related("port__product", "requester")
        .order_by("created_at")
    )
    requests = (
        AccessRequest.objects.filter(requester=request.user)
        .select_related("port__product", "decided_by")
        .order_by("-created_at")
    )
    grants = request.user.access_grants.select_related("port__product").order_by("-created_at")
    return render(
        request, "governance/my_requests.html", {"requests": requests, "grants": grants, "waiting": list(waiting)}
    )


@login_required
@require_GET
def pending_all(request):
    """Every pending request on the output ports of products the user may edit, grouped by port."""
    from apps.catalog.permissions import editable_products

    rows = (
        AccessRequest.objects.filter(status=AccessStatus.PENDING, port__product__in=editable_products(request.user))
        .select_related("port__product", "requester")
        .order_by("port__product__name", "port__name", "created_at")[:500]
    )
    groups: dict[int, dict] = {}
    for r in rows:
        group = groups.setdefault(r.port_id, {"port": r.port, "product": r.port.product, "pending": []})
        group["pending"].append(r)
    return render(request, "governance/pending_all.html", {"groups": list(groups.values())})
