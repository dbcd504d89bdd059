"""Splitting an amount across products: shared domain costs and resources several products publish.

Rules (``MESH_COST_SHARED_SPLIT``): ``equal``; ``storage`` — by the bytes of the datasets each
product publishes; ``queries`` — by the lab runs against each product that month. A rule with
no weight to go by (no sizes harvested, no queries) falls back to equal, and says so. The parts
always add up to the amount exactly: rounding is to 6 decimals and the remainder goes to the
last part.
"""

from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

from django.db.models import Count, Sum

from apps.catalog.models import DataProduct, PortDataset, PortDirection
from apps.lab.models import QueryRun

QUANTUM = Decimal("0.000001")
RULES = ("equal", "storage", "queries")


def split(amount: Decimal, weights: dict[int, Decimal | int]) -> dict[int, Decimal]:
    """``amount`` split over the keys of ``weights`` in proportion; exact to the last unit."""
    keys = sorted(weights)
    total = sum(Decimal(weights[k]) for k in keys)
    if total <= 0:
        weights, total = dict.fromkeys(keys, 1), Decimal(len(keys))
    parts, given = {}, Decimal(0)
    for key in keys[:-1]:
        part = (amount * Decimal(weights[key]) / total).quantize(QUANTUM, rounding=ROUND_DOWN)
        parts[key] = part
        given += part
    parts[keys[-1]] = amount - given
    return parts


class ShareWeights:
    """Per-domain product weights for one rule, computed once per import (a few set-based queries)."""

    def __init__(self, rule: str):
        if rule not in RULES:
            raise ValueError(f"MESH_COST_SHARED_SPLIT must be one of {', '.join(RULES)}, not {rule!r}")
        self.rule = rule
        self.products_of: dict[int, list[int]] = defaultdict(list)
        self.domain_of: dict[int, int] = {}
        for pk, domain_id in DataProduct.objects.values_list("pk", "domain_id"):
            self.products_of[domain_id].append(pk)
            self.domain_of[pk] = domain_id
        self._storage: dict[int, int] | None = None
        self._queries: dict[tuple, int] | None = None

    def _storage_by_product(self) -> dict[int, int]:
        if self._storage is None:
            rows = (
                PortDataset.objects.filter(port__direction=PortDirection.OUTPUT, dataset__removed_at__isnull=True)
                .values("port__product_id")
                .annotate(size=Sum("dataset__size_bytes"))
            )
            self._storage = {r["port__product_id"]: r["size"] or 0 for r in rows}
        return self._storage

    def _queries_by_product_month(self) -> dict[tuple, int]:
        if self._queries is None:
            from django.db.models.functions import TruncMonth

            rows = (
                QueryRun.objects.filter(product__isnull=False)
                .annotate(m=TruncMonth("created_at"))
                .values("product_id", "m")
                .annotate(n=Count("id"))
            )
            self._queries = {
                (r["product_id"], r["m"].date() if hasattr(r["m"], "date") else r["m"]): r["n"] for r in rows
            }
        return self._queries

    def weights(self, domain_id: int, month) -> dict[int, Decimal | int]:
        products = self.products_of.get(domain_id, [])
        if self.rule == "storage":
            sizes = self._storage_by_product()
            return {p: sizes.get(p, 0) for p in products}
        if self.rule == "queries":
            counts = self._queries_by_product_month()
            return {p: counts.get((p, month), 0) for p in products}
        return dict.fromkeys(products, 1)
