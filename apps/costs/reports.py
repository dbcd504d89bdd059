"""Reading costs back: per product, per domain, per consumer, and what nobody owns.

Every figure is a sum over ``CostAllocation`` (a few rows per product and month) grouped by
currency: amounts in different currencies are never added up. Where the operator set
``MESH_COST_CURRENCY`` and a rate exists for every month and currency involved, a converted
total is given beside them, and the page says which rates it used.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from apps.catalog.models import Port, PortDirection
from apps.costs.models import Basis, CostAllocation, CostLine, ExchangeRate
from apps.lab.models import QueryRun

CENT = Decimal("0.01")


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_back(count: int, today: date | None = None) -> list[date]:
    """The first days of the last ``count`` months, oldest first, ending with this month."""
    current = month_start(today or timezone.now().date())
    out = []
    for _ in range(count):
        out.append(current)
        current = month_start(current.replace(day=1) - timedelta(days=1))
    return list(reversed(out))


@dataclass
class CostReport:
    """Costs of one product or domain over a window of months."""

    months: list[date]
    by_month: dict[str, dict[date, Decimal]] = field(default_factory=dict)  # currency → month → amount
    by_service: dict[str, list[tuple[str, Decimal]]] = field(default_factory=dict)  # this month
    by_basis: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    converted: dict[date, Decimal] | None = None
    display_currency: str = ""

    @property
    def currencies(self) -> list[str]:
        return sorted(self.by_month)

    @property
    def this_month(self) -> dict[str, Decimal]:
        last = self.months[-1]
        return {c: self.by_month[c].get(last, Decimal(0)) for c in self.currencies}

    @property
    def total(self) -> dict[str, Decimal]:
        return {c: sum(self.by_month[c].values(), Decimal(0)) for c in self.currencies}

    @property
    def is_empty(self) -> bool:
        return not self.by_month

    def as_dict(self) -> dict:
        return {
            "months": [m.isoformat()[:7] for m in self.months],
            "currencies": {
                c: {
                    "by_month": [str(self.by_month[c].get(m, Decimal(0)).quantize(CENT)) for m in self.months],
                    "total": str(self.total[c].quantize(CENT)),
                    "this_month": str(self.this_month[c].quantize(CENT)),
                    "by_service": [
                        {"service": s, "amount": str(a.quantize(CENT))} for s, a in self.by_service.get(c, [])
                    ],
                    "by_basis": {b: str(a.quantize(CENT)) for b, a in self.by_basis.get(c, {}).items()},
                }
                for c in self.currencies
            },
            "converted": (
                {
                    "currency": self.display_currency,
                    "by_month": [str(self.converted.get(m, Decimal(0)).quantize(CENT)) for m in self.months],
                }
                if self.converted is not None
                else None
            ),
        }


def _report(filter_q: Q, months: list[date]) -> CostReport:
    report = CostReport(months=months)
    rows = (
        CostAllocation.objects.filter(filter_q, month__gte=months[0], month__lte=months[-1])
        .values("month", "currency", "service_name", "basis")
        .annotate(total=Sum("amount"))
    )
    by_month: dict = defaultdict(lambda: defaultdict(Decimal))
    service_now: dict = defaultdict(lambda: defaultdict(Decimal))
    by_basis: dict = defaultdict(lambda: defaultdict(Decimal))
    for r in rows:
        amount = Decimal(r["total"])
        by_month[r["currency"]][r["month"]] += amount
        by_basis[r["currency"]][r["basis"]] += amount
        if r["month"] == months[-1]:
            service_now[r["currency"]][r["service_name"] or "(no service)"] += amount
    report.by_month = {c: dict(v) for c, v in by_month.items()}
    report.by_basis = {c: dict(v) for c, v in by_basis.items()}
    report.by_service = {c: sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))[:10] for c, v in service_now.items()}
    _convert(report)
    return report


def _convert(report: CostReport) -> None:
    target = getattr(settings, "MESH_COST_CURRENCY", "")
    if not target or not report.by_month:
        return
    others = [c for c in report.currencies if c != target]
    rates = {
        (r.month, r.currency): r.rate
        for r in ExchangeRate.objects.filter(currency__in=others, to_currency=target, month__in=report.months)
    }
    converted: dict[date, Decimal] = defaultdict(Decimal)
    for currency, months in report.by_month.items():
        for month, amount in months.items():
            if currency == target:
                converted[month] += amount
            elif (month, currency) in rates:
                converted[month] += amount * rates[(month, currency)]
            else:
                return  # a missing rate: show currencies apart rather than a wrong total
    report.converted, report.display_currency = dict(converted), target


def product_costs(product, months: int = 12) -> CostReport:
    return _report(Q(product=product), months_back(months))


def domain_costs(domain, months: int = 12) -> CostReport:
    """The domain's products (and its own unshared costs), sub-domains included."""
    from apps.catalog.models import Domain

    subtree = Domain.objects.subtree(domain).values("pk")
    return _report(Q(domain__in=subtree) | Q(product__domain__in=subtree), months_back(months))


def top_products(domain, months: int = 12, limit: int = 10) -> list[dict]:
    from apps.catalog.models import Domain

    window = months_back(months)
    subtree = Domain.objects.subtree(domain).values("pk")
    return list(
        CostAllocation.objects.filter(product__domain__in=subtree, month__gte=window[0])
        .values("product__slug", "product__name", "currency")
        .annotate(total=Sum("amount"))
        .order_by("-total")[:limit]
    )


def unattributed(months: int = 12, limit: int = 200) -> dict:
    """Totals per currency, the same per source and service, and the largest unattributed lines.

    The grouping comes first because it is what the platform team acts on: one service of one
    billing source left untagged is one tag rule to add, whatever its number of lines.
    """
    window = months_back(months)
    totals = {
        r["currency"]: r["total"]
        for r in CostAllocation.objects.filter(basis=Basis.UNATTRIBUTED, month__gte=window[0])
        .values("currency")
        .annotate(total=Sum("amount"))
    }
    in_window = CostLine.objects.filter(basis=Basis.UNATTRIBUTED, month__gte=window[0])
    by_service = list(
        in_window.values("source_name", "service_name", "currency")
        .annotate(total=Sum("effective_cost"), line_count=Count("id"))
        .order_by("-total", "source_name", "service_name")[:limit]
    )
    lines = list(
        in_window.order_by("-effective_cost").values(
            "id", "source_name", "month", "service_name", "resource_id", "effective_cost", "currency", "tags"
        )[:limit]
    )
    return {
        "totals": totals,
        "by_service": by_service,
        "line_count": in_window.count(),
        "lines": lines,
    }


def cost_per_consumer(product, month: date | None = None) -> dict:
    """This month's cost shared out to who uses the product.

    Lab users pay by their share of the month's runs against the product (the cost per query
    is the month's cost over its runs); consumer products, which read through input ports
    rather than the lab, split the cost equally. Both views are given; neither is billed.
    """
    month = month or month_start(timezone.now().date())
    cost = {
        r["currency"]: Decimal(r["total"])
        for r in CostAllocation.objects.filter(product=product, month=month)
        .values("currency")
        .annotate(total=Sum("amount"))
    }
    next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    runs = list(
        QueryRun.objects.filter(product=product, created_at__date__gte=month, created_at__date__lt=next_month)
        .values("user__username")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    run_total = sum(r["n"] for r in runs)
    consumers = list(
        Port.objects.filter(direction=PortDirection.INPUT, upstream_port__product=product)
        .values_list("product__slug", "product__name")
        .distinct()
    )
    return {
        "month": month,
        "cost": cost,
        "runs": run_total,
        "per_query": {c: (a / run_total).quantize(CENT) for c, a in cost.items()} if run_total else {},
        "lab_users": [
            {
                "user": r["user__username"] or "(deleted user)",
                "runs": r["n"],
                "share": {c: (a * r["n"] / run_total).quantize(CENT) for c, a in cost.items()},
            }
            for r in runs[:20]
        ],
        "consumer_products": [
            {"slug": slug, "name": name, "share": {c: (a / len(consumers)).quantize(CENT) for c, a in cost.items()}}
            for slug, name in consumers
        ],
    }
