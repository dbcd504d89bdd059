"""Budgets: after an import, a product whose month passed its budget emits one event per month."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from apps.core.events import emit
from apps.costs.models import Budget, CostAllocation


def check_budgets(import_id: int) -> int:
    """Emit ``mesh.cost.budget_exceeded`` for each product over budget in a month this import touched."""
    months = list(CostAllocation.objects.filter(cost_import_id=import_id).values_list("month", flat=True).distinct())
    if not months:
        return 0
    emitted = 0
    budgets = Budget.objects.select_related("product", "product__domain")
    spent = {
        (r["product_id"], r["month"], r["currency"]): r["total"]
        for r in CostAllocation.objects.filter(month__in=months, product__cost_budget__isnull=False)
        .values("product_id", "month", "currency")
        .annotate(total=Sum("amount"))
    }
    for budget in budgets:
        for month in sorted(months):
            total = spent.get((budget.product_id, month, budget.currency))
            if total is None or total <= budget.amount:
                continue
            if budget.last_alerted_month is not None and budget.last_alerted_month >= month:
                continue
            with transaction.atomic():  # a savepoint inside the import's transaction
                Budget.objects.filter(pk=budget.pk).update(last_alerted_month=month)
                emit(
                    "mesh.cost.budget_exceeded",
                    subject=f"product/{budget.product.slug}",
                    data={
                        "product": budget.product.slug,
                        "month": month.isoformat()[:7],
                        "budget": str(budget.amount),
                        "cost": str(total.quantize(Decimal("0.01"))),
                        "currency": budget.currency,
                    },
                    domain=budget.product.domain.slug,
                    product=budget.product.slug,
                )
            emitted += 1
    return emitted
