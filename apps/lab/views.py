"""Pages and htmx endpoints of the lab: the port panel, run, CSV, cancel, sample query edits."""

import csv
import uuid

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseForbidden, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from apps.catalog.models import Port, PortDirection
from apps.core.errors import ActionError
from apps.lab import actions
from apps.lab.models import SampleQuery
from apps.lab.panel import build_panel
from apps.lab.render import result_table
from apps.lab.runner import cancel_run, run_query

MAX_SQL_CHARS = 20_000


def _readable(request) -> bool:
    return settings.MESH_PUBLIC_READ or request.user.is_authenticated


def _port(pk) -> Port:
    return get_object_or_404(Port.objects.select_related("product__domain"), pk=pk, direction=PortDirection.OUTPUT)


@require_GET
def port_lab(request, port_id):
    """The lab of one output port as a full page (what the panel's link and no-JS readers get)."""
    if not _readable(request):
        return redirect_to_login(request.get_full_path())
    port = _port(port_id)
    return render(request, "lab/port_page.html", build_panel(port, request.user))


@require_GET
def port_panel(request, port_id):
    """The panel body, loaded by htmx into the product page when the port is opened."""
    if not _readable(request):
        return HttpResponseForbidden("Log in to see this port.")
    return render(request, "lab/panel_body.html", build_panel(_port(port_id), request.user))


def _sql_from(request) -> tuple[str, SampleQuery | None]:
    sql = request.POST.get("sql", "")[:MAX_SQL_CHARS]
    sample = None
    if request.POST.get("sample_query", "").isdigit():
        sample = SampleQuery.objects.filter(pk=int(request.POST["sample_query"])).first()
    return sql, sample


@require_POST
def run(request, port_id):
    """Run the posted SQL on the port and answer with the results table partial."""
    port = _port(port_id)
    sql, sample = _sql_from(request)
    token = request.POST.get("token") or uuid.uuid4().hex
    context = {"port": port, "sql": sql}
    try:
        result = run_query(request.user, port, sql, token=token[:64], sample_query=sample)
        context.update(result=result, table=result_table(result.columns, result.rows) if result.ok else "")
    except ActionError as exc:
        context["refusal"] = exc.message
    template = "lab/results.html" if request.htmx else "lab/results_page.html"
    return render(request, template, context)


class _Echo:
    def write(self, value):
        return value


@require_POST
def run_csv(request, port_id):
    """Run the posted SQL and download the rows as CSV (same caps and checks as the table)."""
    port = _port(port_id)
    sql, sample = _sql_from(request)
    try:
        result = run_query(request.user, port, sql, sample_query=sample)
    except ActionError as exc:
        return HttpResponse(
            exc.message,
            status=403
            if exc.errors[0][1] == "permission_denied"
            else 429
            if exc.errors[0][1] == "rate_limited"
            else 400,
            content_type="text/plain",
        )
    if not result.ok:
        return HttpResponse(result.error, status=400, content_type="text/plain")
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(result.columns)
        for row in result.rows:
            yield writer.writerow(["" if v is None else v for v in row])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{port.product.slug}-{port.name}.csv"'
    return response


@require_POST
def cancel(request):
    """Cancel the user's running query named by ``token`` (sent by the page's Cancel button)."""
    if not request.user.is_authenticated:
        return HttpResponseForbidden("Log in first.")
    cancelled = cancel_run(request.user, request.POST.get("token", ""))
    return HttpResponse("Cancelling…" if cancelled else "Nothing to cancel.", content_type="text/plain")


@require_POST
def sample_query_create(request, port_id):
    port = _port(port_id)
    try:
        actions.create_sample_query(
            request.user,
            port,
            title=request.POST.get("title", ""),
            sql=request.POST.get("sql", ""),
            description=request.POST.get("description", ""),
        )
    except ActionError as exc:
        context = build_panel(port, request.user)
        context.update(form_errors=exc.as_dicts(), form_data=request.POST)
        return render(request, "lab/panel_body.html", context, status=422)
    return render(request, "lab/panel_body.html", build_panel(port, request.user))


@require_POST
def sample_query_delete(request, query_id):
    query = get_object_or_404(SampleQuery.objects.select_related("port__product"), pk=query_id)
    try:
        actions.delete_sample_query(request.user, query)
    except ActionError as exc:
        return HttpResponse(exc.message, status=403, content_type="text/plain")
    return render(request, "lab/panel_body.html", build_panel(query.port, request.user))
