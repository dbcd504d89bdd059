"""Classification conflicts: products publishing personal data at a level that forbids it.

``refresh_conflicts()`` recomputes every product's state in a few set-based queries and
writes only the difference: new conflicts emit ``mesh.privacy.conflict_detected`` (in the
same transaction), conflicts that went away are stamped resolved and emit
``mesh.privacy.conflict_resolved``.
"""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from apps.catalog.models import DataProduct, PortDataset, PortDirection
from apps.core.events import emit
from apps.core.lookups import AnyOf
from apps.privacy.categories import PERSONAL_DATA
from apps.privacy.models import ClassificationConflict, ColumnClassification, State
from apps.privacy.policy import policies

MAX_COLUMNS_LISTED = 200


def compute_conflicts() -> dict[int, dict]:
    """{product_id: {categories, columns, confirmed}} for every product in conflict now."""
    levels = policies()
    forbidden = [level for level, p in levels.items() if not p["allows_personal_data"]]
    products = dict(DataProduct.objects.filter(classification__in=forbidden).values_list("id", "classification"))
    if not products:
        return {}
    datasets_of: dict[int, set[int]] = defaultdict(set)
    for product_id, dataset_id in PortDataset.objects.filter(
        port__product_id__in=list(products), port__direction=PortDirection.OUTPUT
    ).values_list("port__product_id", "dataset_id"):
        datasets_of[dataset_id].add(product_id)
    if not datasets_of:
        return {}
    rows = (
        ColumnClassification.objects.filter(
            AnyOf("column__dataset_id", datasets_of),
            column__dataset__removed_at__isnull=True,
            category__in=PERSONAL_DATA,
            state__in=(State.SUGGESTED, State.CONFIRMED),
        )
        .values("column_id", "column__name", "column__dataset_id", "column__dataset__name", "category", "state", "weak")
        .order_by("column__dataset__name", "column__ordinal", "category")
    )
    found: dict[int, dict] = {}
    for r in rows:
        for product_id in datasets_of[r["column__dataset_id"]]:
            entry = found.setdefault(
                product_id,
                {"classification": products[product_id], "categories": set(), "columns": [], "confirmed": False},
            )
            entry["categories"].add(r["category"])
            entry["confirmed"] |= r["state"] == State.CONFIRMED
            if len(entry["columns"]) < MAX_COLUMNS_LISTED:
                entry["columns"].append(
                    {
                        "id": r["column_id"],
                        "dataset_id": r["column__dataset_id"],
                        "dataset": r["column__dataset__name"],
                        "name": r["column__name"],
                        "category": r["category"],
                        "state": r["state"],
                        "weak": r["weak"],
                    }
                )
    for entry in found.values():
        entry["categories"] = sorted(entry["categories"])
    return found


def refresh_conflicts() -> dict:
    found = compute_conflicts()
    now = timezone.now()
    created = resolved = updated = 0
    with transaction.atomic():
        open_rows = {c.product_id: c for c in ClassificationConflict.objects.filter(resolved_at__isnull=True)}
        slugs = dict(DataProduct.objects.filter(pk__in=set(found) | set(open_rows)).values_list("id", "slug"))
        domains = dict(DataProduct.objects.filter(pk__in=set(found) | set(open_rows)).values_list("id", "domain__slug"))
        for product_id, entry in found.items():
            row = open_rows.get(product_id)
            if row is None:
                ClassificationConflict.objects.create(product_id=product_id, **entry)
                created += 1
                emit(
                    "mesh.privacy.conflict_detected",
                    subject=f"product:{slugs[product_id]}",
                    data={
                        "product": slugs[product_id],
                        "classification": entry["classification"],
                        "categories": entry["categories"],
                        "confirmed": entry["confirmed"],
                        "columns": len(entry["columns"]),
                    },
                    domain=domains.get(product_id) or "",
                    product=slugs[product_id],
                )
            elif (row.categories, row.columns, row.confirmed, row.classification) != (
                entry["categories"],
                entry["columns"],
                entry["confirmed"],
                entry["classification"],
            ):
                ClassificationConflict.objects.filter(pk=row.pk).update(updated_at=now, **entry)
                updated += 1
        for product_id, row in open_rows.items():
            if product_id not in found:
                ClassificationConflict.objects.filter(pk=row.pk).update(resolved_at=now)
                resolved += 1
                emit(
                    "mesh.privacy.conflict_resolved",
                    subject=f"product:{slugs.get(product_id, product_id)}",
                    data={"product": slugs.get(product_id, "")},
                    domain=domains.get(product_id) or "",
                    product=slugs.get(product_id, ""),
                )
    return {"created": created, "updated": updated, "resolved": resolved, "open": len(found)}


def conflicts_by_domain():
    """Open conflicts grouped by domain, for the governance report."""
    rows = (
        ClassificationConflict.objects.filter(resolved_at__isnull=True)
        .select_related("product__domain")
        .order_by("product__domain__path", "product__name")
    )
    groups: dict = {}
    for c in rows:
        groups.setdefault(c.product.domain, []).append(c)
    return [{"domain": d, "conflicts": cs} for d, cs in groups.items()]
