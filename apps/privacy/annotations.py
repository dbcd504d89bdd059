"""What the privacy app adds to catalog pages: column tags on datasets, conflicts on products."""

from django.urls import reverse

from apps.privacy.categories import tag_for
from apps.privacy.models import ClassificationConflict, ColumnClassification, State


def annotate_dataset_columns(dataset, columns) -> None:
    """``pii:email`` (confirmed) and ``pii:email?`` (suggested) tags, one query for the page."""
    by_id = {c.pk: c for c in columns}
    if not by_id:
        return
    url = reverse("privacy:dataset", args=[dataset.pk])
    rows = (
        ColumnClassification.objects.filter(column_id__in=list(by_id))
        .exclude(state=State.REJECTED)
        .values_list("column_id", "category", "state", "confidence", "reason")
        .order_by("column_id", "category")
    )
    for column_id, category, state, confidence, reason in rows:
        by_id[column_id].annotations.append(
            {
                "label": tag_for(category),
                "state": state,
                "title": f"{state} ({confidence:.0%}): {reason}",
                "url": f"{url}#col-{column_id}",
            }
        )


def product_conflict_notice(product) -> list[dict]:
    conflict = ClassificationConflict.objects.filter(product=product, resolved_at__isnull=True).first()
    if conflict is None:
        return []
    where = sorted({c["dataset"].rsplit(".", 2)[-2] + "." + c["dataset"].rsplit(".", 1)[-1] for c in conflict.columns})
    return [
        {
            "level": "warning",
            "text": (
                f"Classification conflict: this product is {conflict.classification} but its outputs carry personal "
                f"data ({', '.join(conflict.categories)}) in {', '.join(where[:5])}"
                + ("" if conflict.confirmed else " — suggested, not yet confirmed")
                + ". Reclassify the product, or have the columns confirmed, rejected or anonymised."
            ),
            "url": reverse("privacy:conflicts") + f"#product-{product.slug}",
            "link": "Review personal data",
        }
    ]
