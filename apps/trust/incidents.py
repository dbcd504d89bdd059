"""Automatic incidents: opened by failing checks and failed harvests, resolved when the cause clears.

One incident per cause and product: ``checks:<dataset id>`` while any live check on that
output dataset last failed, ``harvest:<source id>`` while the latest run of the source
behind the product's output datasets failed. All writes go through ``apps.trust.actions``
as the system actor, so history and events are the same as for manual incidents.
Also: mean time to resolve, per product and per domain.
"""

from datetime import timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery

from apps.catalog.models import DataProduct, PortDataset, PortDirection, QualityCheck, QualityResult
from apps.core.actors import SystemActor
from apps.core.lookups import AnyOf
from apps.trust.models import Incident, IncidentCause, Severity

SYSTEM = SystemActor("incident monitor")
FAILING = ("fail", "error")


def _apply(wanted: dict[tuple[int, str], str], prefix: str, product_ids, cause: str, severity: str) -> tuple[int, int]:
    """Open ``wanted`` ({(product, cause key): title}) and resolve open ones under ``prefix`` not wanted."""
    from apps.trust import actions

    open_rows = Incident.objects.filter(
        resolved_at__isnull=True, cause_key__startswith=prefix, product_id__in=product_ids
    )
    open_keys = {(i.product_id, i.cause_key): i for i in open_rows.select_related("product__domain")}
    opened = resolved = 0
    products = {p.pk: p for p in DataProduct.objects.filter(pk__in={p for p, _ in wanted}).select_related("domain")}
    for (pid, key), title in sorted(wanted.items()):
        if (pid, key) not in open_keys and pid in products:
            actions.open_incident(
                SYSTEM,
                products[pid],
                title=title,
                severity=severity,
                cause=cause,
                cause_key=key,
                via="monitor",
                message="Opened automatically; it resolves itself when the cause clears.",
            )
            opened += 1
    for (pid, key), incident in open_keys.items():
        if (pid, key) not in wanted:
            actions.resolve_incident(SYSTEM, incident, message="The cause cleared.", via="monitor")
            resolved += 1
    return opened, resolved


def sync_check_incidents(dataset_ids: list[int]) -> tuple[int, int]:
    """Reconcile check incidents of the products exposing ``dataset_ids``."""
    links = list(
        PortDataset.objects.filter(AnyOf("dataset_id", dataset_ids), port__direction=PortDirection.OUTPUT)
        .values_list("port__product_id", "dataset_id", "dataset__name", "dataset__removed_at")
        .distinct()
    )
    if not links:
        return 0, 0
    latest = QualityResult.objects.filter(quality_check=OuterRef("pk")).order_by("-observed_at").values("status")[:1]
    failing = dict(
        QualityCheck.objects.filter(dataset_id__in={d for _, d, _, _ in links}, removed_at__isnull=True)
        .annotate(last=Subquery(latest))
        .filter(last__in=FAILING)
        .values("dataset_id")
        .annotate(n=Count("id"))
        .values_list("dataset_id", "n")
    )
    wanted = {
        (pid, f"checks:{did}"): f"{failing[did]} quality check{'s' if failing[did] > 1 else ''} failing on {name}"
        for pid, did, name, removed in links
        if did in failing and removed is None
    }
    # Only reconcile keys of the datasets looked at: other datasets' incidents stay as they are.
    products = {pid for pid, _, _, _ in links}
    from apps.trust import actions

    opened, resolved = 0, 0
    open_rows = Incident.objects.filter(
        resolved_at__isnull=True, cause_key__in=[f"checks:{d}" for _, d, _, _ in links], product_id__in=products
    ).select_related("product__domain")
    open_keys = {(i.product_id, i.cause_key): i for i in open_rows}
    by_pk = {p.pk: p for p in DataProduct.objects.filter(pk__in={p for p, _ in wanted}).select_related("domain")}
    for (pid, key), title in sorted(wanted.items()):
        if (pid, key) not in open_keys:
            actions.open_incident(
                SYSTEM,
                by_pk[pid],
                title=title,
                severity=Severity.MAJOR,
                cause=IncidentCause.CHECK,
                cause_key=key,
                via="monitor",
                message="Opened automatically; it resolves itself when the checks pass again.",
            )
            opened += 1
    for (pid, key), incident in open_keys.items():
        if (pid, key) not in wanted:
            actions.resolve_incident(SYSTEM, incident, message="The checks pass again.", via="monitor")
            resolved += 1
    return opened, resolved


def sync_harvest_incidents(source_ids: list[int]) -> tuple[int, int]:
    """Open or resolve ``harvest:<source>`` incidents from each source's latest finished run."""
    from apps.catalog.models import Dataset
    from apps.harvest.models import HarvestRun, RunStatus

    totals = [0, 0]
    for source_id in source_ids:
        run = (
            HarvestRun.objects.filter(source_id=source_id, finished_at__isnull=False)
            .select_related("source")
            .order_by("-finished_at", "-id")
            .first()
        )
        if run is None:
            continue
        products = set(
            PortDataset.objects.filter(
                dataset__in=Dataset.objects.filter(source_id=source_id, removed_at__isnull=True),
                port__direction=PortDirection.OUTPUT,
            ).values_list("port__product_id", flat=True)
        )
        key = f"harvest:{source_id}"
        wanted = (
            {(pid, key): f"Harvest of {run.source.name} failed" for pid in products}
            if run.status == RunStatus.FAILED
            else {}
        )
        opened, resolved = _apply(wanted, key, products, IncidentCause.HARVEST, Severity.MAJOR)
        totals[0] += opened
        totals[1] += resolved
    return totals[0], totals[1]


def on_harvest_runs_finished(run_ids: list[int]) -> None:
    from apps.harvest.models import HarvestRun
    from apps.trust.measure import measure_after_runs

    sources = sorted(set(HarvestRun.objects.filter(pk__in=run_ids).values_list("source_id", flat=True)))
    if sources:
        sync_harvest_incidents(sources)
    measure_after_runs(run_ids)


# --- Mean time to resolve ------------------------------------------------------------

_DURATION = ExpressionWrapper(F("resolved_at") - F("opened_at"), output_field=DurationField())


def mttr(incidents) -> timedelta | None:
    return incidents.filter(resolved_at__isnull=False).aggregate(m=Avg(_DURATION))["m"]


def mttr_by(field: str, incidents=None) -> dict:
    """``{field value: (mean time to resolve, resolved count, open count)}`` in one query."""
    incidents = Incident.objects.all() if incidents is None else incidents
    rows = incidents.values(field).annotate(
        m=Avg(_DURATION, filter=Q(resolved_at__isnull=False)),
        resolved=Count("id", filter=Q(resolved_at__isnull=False)),
        open=Count("id", filter=Q(resolved_at__isnull=True)),
    )
    return {r[field]: (r["m"], r["resolved"], r["open"]) for r in rows}
