"""Pages of the platform team: sources, their harvest runs, live progress and reports.

Every change goes through ``apps.harvest.actions`` (admins only); secrets are accepted in
forms but never rendered back.
"""

import json
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.core.actors import is_admin
from apps.core.errors import ActionError, ConflictError
from apps.harvest import actions
from apps.harvest.forms import SourceForm
from apps.harvest.models import HarvestRun, RunStatus, Source

ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)


def platform_required(view):
    """Sources and runs are for admins (the platform team); others get a clear 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_admin(request.user):
            raise PermissionDenied("Sources and harvests are managed by the platform team (admins).")
        return view(request, *args, **kwargs)

    return wrapped


@platform_required
def source_list(request):
    latest = HarvestRun.objects.filter(source=OuterRef("pk")).order_by("-queued_at", "-id")
    sources = Source.objects.annotate(
        last_run_id=Subquery(latest.values("pk")[:1]),
        last_status=Subquery(latest.values("status")[:1]),
        last_finished_at=Subquery(latest.values("finished_at")[:1]),
    ).order_by("name")
    return render(request, "harvest/source_list.html", {"sources": sources})


def _form_errors_from_action(form: SourceForm, exc: ActionError) -> None:
    for field, _code, message in exc.errors:
        target = (field or "").split(".", 1)[0].split("[", 1)[0]
        prefix = field[len(target) :].lstrip(".") if field and field != target else ""
        form.add_error(target if target in form.fields else None, f"{prefix}: {message}" if prefix else message)


@platform_required
def source_create(request):
    form = SourceForm(request.POST or None, initial={"config": "{}", "mapping_rules": "[]", "enabled": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            source = actions.create_source(
                request.user,
                name=data["name"],
                kind=data["kind"],
                description=data["description"],
                config=data["config"],
                secrets=data["secrets"],
                schedule=data["schedule"],
                mapping_rules=data["mapping_rules"],
                enabled=data["enabled"],
            )
        except ActionError as exc:
            _form_errors_from_action(form, exc)
        else:
            return redirect("harvest:source_detail", name=source.name)
    return render(
        request, "harvest/source_form.html", {"form": form, "source": None}, status=422 if form.errors else 200
    )


@platform_required
def source_edit(request, name):
    source = get_object_or_404(Source, name=name)
    initial = {
        "name": source.name,
        "kind": source.kind,
        "description": source.description,
        "config": json.dumps(source.config, indent=2),
        "schedule": source.schedule,
        "mapping_rules": json.dumps(source.mapping_rules, indent=2),
        "enabled": source.enabled,
    }
    form = SourceForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {k: data[k] for k in ("description", "config", "schedule", "mapping_rules", "enabled")}
        if data["secrets"]:
            fields["secrets"] = data["secrets"]
        try:
            actions.update_source(request.user, source, **fields)
        except ActionError as exc:
            _form_errors_from_action(form, exc)
        else:
            return redirect("harvest:source_detail", name=source.name)
    return render(
        request, "harvest/source_form.html", {"form": form, "source": source}, status=422 if form.errors else 200
    )


@platform_required
def source_detail(request, name):
    source = get_object_or_404(Source, name=name)
    runs = list(source.runs.order_by("-queued_at", "-id")[:30])
    return render(
        request,
        "harvest/source_detail.html",
        {
            "source": source,
            "runs": runs,
            "active_run": next((r for r in runs if r.status in ACTIVE), None),
            "dataset_count": source.datasets.filter(removed_at__isnull=True).count(),
        },
    )


@platform_required
@require_POST
def source_test(request, name):
    """Test the connection and show the outcome in place (htmx) or on the source page."""
    source = get_object_or_404(Source, name=name)
    try:
        check = actions.test_source_connection(request.user, source)
    except ActionError as exc:
        check = None
        error = exc.message
    else:
        error = ""
    return render(request, "harvest/partials/connection_check.html", {"check": check, "error": error, "source": source})


@platform_required
@require_POST
def source_test_draft(request):
    """Test the connection of the form as typed, before saving it (htmx, from the form)."""
    existing = Source.objects.filter(name=request.POST.get("existing", "")).first()
    form = SourceForm(request.POST, editing=existing is not None)
    if existing is not None:
        form.data = form.data.copy()
        form.data.update({"name": existing.name, "kind": existing.kind})
    if not form.is_valid():
        problems = [f"{form.fields[f].label if f in form.fields else f}: {' '.join(e)}" for f, e in form.errors.items()]
        return render(
            request, "harvest/partials/connection_check.html", {"error": "Fix the form first — " + "; ".join(problems)}
        )
    data = form.cleaned_data
    secrets = {**(existing.secrets if existing else {}), **(data["secrets"] or {})}
    draft = Source(
        name=existing.name if existing else data["name"],
        kind=existing.kind if existing else data["kind"],
        config=data["config"],
        secrets=secrets,
    )
    try:
        check = actions.test_source_connection(request.user, draft)
    except ActionError as exc:
        return render(request, "harvest/partials/connection_check.html", {"error": exc.message})
    return render(request, "harvest/partials/connection_check.html", {"check": check, "error": ""})


@platform_required
@require_POST
def source_harvest(request, name):
    source = get_object_or_404(Source, name=name)
    try:
        run = actions.trigger_harvest(request.user, source, triggered_by=request.user.get_username())
    except ConflictError as exc:
        active = source.runs.filter(status__in=ACTIVE).first()
        if active:
            return redirect("harvest:run_detail", pk=active.pk)
        return render(
            request,
            "harvest/source_detail.html",
            {"source": source, "runs": list(source.runs.all()[:30]), "error": exc.message},
            status=409,
        )
    except ActionError as exc:
        return render(
            request,
            "harvest/source_detail.html",
            {"source": source, "runs": list(source.runs.all()[:30]), "error": exc.message},
            status=422,
        )
    return redirect("harvest:run_detail", pk=run.pk)


def _run_context(run: HarvestRun) -> dict:
    from apps.harvest import run_summary

    counts = [(run_summary.counter_label(k), v) for k, v in sorted((run.counts or {}).items())]
    timings = sorted((run.timings or {}).items())
    duration = (run.finished_at - run.started_at).total_seconds() if run.started_at and run.finished_at else None
    return {
        "run": run,
        "counts": counts,
        "timings": timings,
        "active": run.status in ACTIVE,
        "duration": duration,
        "summary": run_summary.summary(run),
        "empty_warning": run_summary.empty_warning(run),
    }


@platform_required
def run_detail(request, pk):
    run = get_object_or_404(HarvestRun.objects.select_related("source"), pk=pk)
    return render(request, "harvest/run_detail.html", _run_context(run))


@platform_required
def run_progress(request, pk):
    """Polled by htmx every two seconds while the run is active; stops polling once it ends."""
    run = get_object_or_404(HarvestRun.objects.select_related("source"), pk=pk)
    return render(request, "harvest/partials/run_status.html", _run_context(run))
