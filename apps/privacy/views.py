"""Pages: review a dataset's personal data, the governance report, forget requests, the finder."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.catalog.models import Column, DataProduct, Dataset
from apps.catalog.views.common import login_required_403, reader_required
from apps.core.errors import ActionError
from apps.core.history import history_for
from apps.privacy import actions
from apps.privacy.actions.forget import can_open_requests, can_see_request
from apps.privacy.categories import Category, tag_for
from apps.privacy.conflicts import conflicts_by_domain
from apps.privacy.finder import find, identifier_types
from apps.privacy.models import AnonymisedColumn, ColumnClassification, ForgetRequest, ForgetTask
from apps.privacy.policy import can_classify


def _dataset_context(request, dataset, errors=None) -> dict:
    columns = list(dataset.columns.order_by("ordinal", "name"))
    rows = ColumnClassification.objects.filter(column__dataset=dataset).select_related("decided_by")
    by_column: dict[int, list] = {}
    for row in rows.order_by("category"):
        row.tag = tag_for(row.category)
        by_column.setdefault(row.column_id, []).append(row)
    markers = {m.column_id: m for m in AnonymisedColumn.objects.filter(dataset=dataset)}
    for c in columns:
        c.privacy_tags = by_column.get(c.pk, [])
        c.anonymised_marker = markers.get(c.pk)
    products = list(DataProduct.objects.filter(ports__datasets=dataset).select_related("domain").distinct())
    return {
        "dataset": dataset,
        "columns": columns,
        "products": products,
        "can_classify": can_classify(request.user, dataset, products),
        "categories": Category.choices,
        "methods": AnonymisedColumn.Method.choices,
        "errors": errors or [],
    }


@reader_required
def dataset_review(request, pk):
    dataset = get_object_or_404(Dataset.objects.select_related("domain"), pk=pk)
    return render(request, "privacy/dataset.html", _dataset_context(request, dataset))


@require_POST
@login_required_403
def decide(request, pk):
    row = get_object_or_404(ColumnClassification.objects.select_related("column__dataset__domain"), pk=pk)
    dataset = row.column.dataset
    errors = []
    try:
        actions.decide(request.user, row, request.POST.get("decision", ""))
    except ActionError as exc:
        errors = exc.as_dicts()
    context = _dataset_context(request, dataset, errors)
    if request.htmx:
        return render(request, "privacy/partials/columns.html", context, status=422 if errors else 200)
    return redirect("privacy:dataset", dataset.pk)


@require_POST
@login_required_403
def classify(request, column_id):
    column = get_object_or_404(Column.objects.select_related("dataset__domain"), pk=column_id)
    errors = []
    try:
        actions.classify_column(request.user, column, request.POST.get("category", ""))
    except ActionError as exc:
        errors = exc.as_dicts()
    context = _dataset_context(request, column.dataset, errors)
    if request.htmx:
        return render(request, "privacy/partials/columns.html", context, status=422 if errors else 200)
    return redirect("privacy:dataset", column.dataset_id)


@require_POST
@login_required_403
def anonymise(request, column_id):
    column = get_object_or_404(Column.objects.select_related("dataset__domain"), pk=column_id)
    errors = []
    try:
        actions.mark_anonymised(
            request.user,
            column.dataset,
            column=column,
            method=request.POST.get("method", ""),
            comment=request.POST.get("comment", ""),
        )
    except ActionError as exc:
        errors = exc.as_dicts()
    context = _dataset_context(request, column.dataset, errors)
    if request.htmx:
        return render(request, "privacy/partials/columns.html", context, status=422 if errors else 200)
    return redirect("privacy:dataset", column.dataset_id)


@reader_required
def conflicts(request):
    return render(request, "privacy/conflicts.html", {"groups": conflicts_by_domain()})


@reader_required
def finder(request):
    identifier_type = request.GET.get("type", "")
    value = request.GET.get("value") or None
    context = {"types": identifier_types(), "identifier_type": identifier_type, "value": value or ""}
    if identifier_type:
        try:
            context["result"] = find(identifier_type, value=value)
        except ActionError as exc:
            context["errors"] = exc.as_dicts()
    return render(request, "privacy/finder.html", context)


@login_required_403
def forget_list(request):
    if request.method == "POST":
        try:
            created = actions.open_request(
                request.user,
                identifier_type=request.POST.get("identifier_type", ""),
                reference=request.POST.get("reference", ""),
                note=request.POST.get("note", ""),
            )
        except ActionError as exc:
            return render(
                request,
                "privacy/forget_list.html",
                {**_forget_list_context(request), "errors": exc.as_dicts()},
                status=422,
            )
        return redirect("privacy:forget_detail", created.pk)
    return render(request, "privacy/forget_list.html", _forget_list_context(request))


def _forget_list_context(request) -> dict:
    from apps.catalog.permissions import editable_products

    rows = ForgetRequest.objects.select_related("requested_by").prefetch_related("tasks").order_by("-created_at")
    if not can_open_requests(request.user):
        rows = rows.filter(tasks__product__in=editable_products(request.user)).distinct()
    return {"requests": rows[:200], "types": identifier_types(), "can_open": can_open_requests(request.user)}


def _detail_context(request, forget) -> dict:
    from apps.catalog.permissions import can_edit_product

    tasks = list(forget.tasks.select_related("product", "done_by").order_by("product_name"))
    officer = can_open_requests(request.user)
    for t in tasks:
        t.can_settle = officer or (t.product is not None and can_edit_product(request.user, t.product))
    return {
        "forget": forget,
        "tasks": tasks,
        "history": list(history_for(forget)[:50]),
        "statuses": ForgetTask.Status.choices,
    }


@login_required_403
def forget_detail(request, pk):
    forget = get_object_or_404(ForgetRequest.objects.select_related("requested_by"), pk=pk)
    if not can_see_request(request.user, forget):
        raise PermissionDenied("Only privacy officers and the owners of a product with a task see this request.")
    return render(request, "privacy/forget_detail.html", _detail_context(request, forget))


@require_POST
@login_required_403
def settle(request, task_id):
    task = get_object_or_404(ForgetTask.objects.select_related("request", "product__domain"), pk=task_id)
    errors = []
    try:
        actions.settle_task(
            request.user, task, status=request.POST.get("status", ""), comment=request.POST.get("comment", "")
        )
    except ActionError as exc:
        errors = exc.as_dicts()
    forget = ForgetRequest.objects.get(pk=task.request_id)
    context = {**_detail_context(request, forget), "errors": errors, "error_task": task.pk if errors else None}
    if request.htmx:
        return render(request, "privacy/partials/tasks.html", context, status=422 if errors else 200)
    return redirect("privacy:forget_detail", forget.pk)
