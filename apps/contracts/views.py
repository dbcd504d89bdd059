"""The Contract section of the product page, its acknowledge button and the header badge.

The section is an htmx fragment (``catalog.views.extensions``): per output port with a
contract, its clauses with the latest verdict, the check history, the versions with what
changed, and the impact reports with who has acknowledged. A fixed number of queries per
contract, whatever the number of check runs (history is capped).
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.catalog.models import DataProduct
from apps.catalog.permissions import can_edit_product
from apps.catalog.views.common import reader_required
from apps.catalog.views.extensions import Badge
from apps.contracts import actions
from apps.contracts.models import CheckRun, Contract, DatasetVerdict, ImpactEntry, ImpactReport
from apps.core.errors import ActionError

HISTORY = 20
REPORTS = 5


def clause_rows(version, latest_runs) -> list[dict]:
    """Every property clause of the active version with its latest verdict across datasets."""
    problems = {}
    for run in latest_runs:
        for c in run.clauses:
            key = c["clause"].split(" ", 1)[0] if c["kind"] != "quality" else c["clause"]
            worst = problems.get(key)
            if worst is None or worst["verdict"] == "unknown":
                problems[key] = c
    rows = []
    checked = bool(latest_runs)
    for obj in version.document.get("schema") or []:
        name = obj.get("physicalName") or obj.get("name")
        for prop in obj.get("properties") or []:
            column = prop.get("physicalName") or prop.get("name")
            clause = f"{name}.{column}"
            problem = problems.get(clause)
            rows.append(
                {
                    "clause": clause,
                    "type": prop.get("physicalType") or prop.get("logicalType") or "",
                    "flags": [f for f in ("required", "primaryKey", "unique") if prop.get(f)],
                    "verdict": problem["verdict"] if problem else ("met" if checked else "not checked"),
                    "evidence": problem["evidence"] if problem else "",
                }
            )
    return rows


@reader_required
def product_contract(request, slug):
    product = get_object_or_404(DataProduct.objects.select_related("domain"), slug=slug)
    contracts = list(
        Contract.objects.filter(port__product=product)
        .select_related("port")
        .prefetch_related("versions")
        .order_by("port__name")
    )
    can_edit = can_edit_product(request.user, product)
    blocks = []
    for contract in contracts:
        versions = sorted(contract.versions.all(), key=lambda v: v.semver, reverse=True)
        active = next((v for v in versions if v.status == "active"), None)
        latest_ids = DatasetVerdict.objects.filter(contract=contract).values_list("run_id", flat=True)
        latest_runs = list(CheckRun.objects.filter(pk__in=latest_ids))
        history = list(CheckRun.objects.filter(contract=contract).select_related("dataset", "version")[:HISTORY])
        reports = list(
            ImpactReport.objects.filter(contract=contract).prefetch_related(
                "entries__product", "entries__dataset", "entries__user"
            )[:REPORTS]
        )
        blocks.append(
            {
                "contract": contract,
                "active": active,
                "versions": versions,
                "clauses": clause_rows(active, latest_runs) if active else [],
                "verdict": _overall(latest_runs),
                "history": history,
                "reports": reports,
            }
        )
    unbound = list(product.ports.filter(direction="output", contract__isnull=True).order_by("name")) if can_edit else []
    return render(
        request,
        "contracts/product_contract.html",
        {"product": product, "blocks": blocks, "can_edit": can_edit, "unbound_ports": unbound, "me": request.user},
    )


def _overall(runs) -> str:
    verdicts = {r.verdict for r in runs}
    return (
        "violated"
        if "violated" in verdicts
        else "met"
        if "met" in verdicts
        else "unknown"
        if verdicts
        else "not checked"
    )


@require_POST
def acknowledge(request, entry_id):
    entry = get_object_or_404(ImpactEntry.objects.select_related("report__contract__port__product"), pk=entry_id)
    product = entry.report.contract.port.product if entry.report.contract.port_id else None
    try:
        actions.acknowledge(request.user, entry)
        messages.success(request, "Acknowledged: the producer sees that you know.")
    except ActionError as exc:
        messages.error(request, exc.message)
    target = reverse("catalog:product_detail", args=[product.slug]) + "#contract" if product else "/"
    return HttpResponseRedirect(target)


def violation_badges(product_ids: list[int]) -> dict[int, list[Badge]]:
    """A "contract violated" badge for products with a dataset whose latest verdict is violated (one query)."""
    rows = (
        DatasetVerdict.objects.filter(verdict="violated", contract__port__product_id__in=product_ids)
        .values_list("contract__port__product_id", "contract__port__product__slug")
        .distinct()
    )
    return {
        pk: [
            Badge(
                "contract violated",
                "status-fail",
                "A dataset breaks its data contract",
                reverse("catalog:product_detail", args=[slug]) + "#contract",
            )
        ]
        for pk, slug in rows
    }
