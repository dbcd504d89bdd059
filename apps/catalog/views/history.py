"""A product's history: who changed what and when, any past version, diffs between versions."""

import difflib

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from apps.catalog.models import DataProduct
from apps.catalog.views.common import reader_required
from apps.core.history import history_for, state_at
from apps.core.models import ObjectChange

CHANGES_PER_PAGE = 50
SHOWN_FIELDS = (
    "name",
    "summary",
    "lifecycle",
    "classification",
    "tags",
    "domain",
    "cost_per_month",
    "cost_currency",
    "description",
)


def _product_versions(product):
    """The product's own changes (each one a version), newest first."""
    ct = ContentType.objects.get_for_model(DataProduct)
    return ObjectChange.objects.filter(content_type=ct, object_id=product.pk).order_by("-id")


@reader_required
def product_history(request, slug):
    product = get_object_or_404(DataProduct, slug=slug)
    page = Paginator(history_for(product).order_by("-time", "-id"), CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    versions = list(
        _product_versions(product).values_list("id", "time", "postchange_data__revision", "actor_label")[:200]
    )
    return render(
        request,
        "catalog/product_history.html",
        {
            "product": product,
            "page": page,
            "versions": versions,
            "product_ct": ContentType.objects.get_for_model(DataProduct).pk,
        },
    )


@reader_required
def product_version(request, slug, change_id):
    """The product as it was right after change ``change_id``."""
    product = get_object_or_404(DataProduct, slug=slug)
    change = get_object_or_404(ObjectChange.objects.filter(pk=change_id))
    state = state_at(product, change_id)
    if state is None:
        raise Http404("The product did not exist at that point.")
    fields = [(name, state.get(name)) for name in SHOWN_FIELDS if name in state]
    return render(
        request,
        "catalog/product_version.html",
        {"product": product, "change": change, "state": state, "fields": fields},
    )


@reader_required
def product_diff(request, slug):
    """Field-by-field differences between two versions (``from`` and ``to`` change ids)."""
    product = get_object_or_404(DataProduct, slug=slug)
    try:
        old_id, new_id = sorted([int(request.GET["from"]), int(request.GET["to"])])
    except (KeyError, ValueError):
        raise Http404("Choose two versions to compare.") from None
    old, new = state_at(product, old_id), state_at(product, new_id)
    if old is None or new is None:
        raise Http404("One of these versions does not exist.")
    rows = []
    for name in SHOWN_FIELDS:
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        lines = None
        if name == "description":
            lines = list(
                difflib.unified_diff(
                    (before or "").splitlines(), (after or "").splitlines(), "before", "after", lineterm="", n=2
                )
            )[2:]
        rows.append({"field": name, "before": before, "after": after, "lines": lines})
    changes = ObjectChange.objects.filter(pk__in=[old_id, new_id]).order_by("id")
    return render(
        request,
        "catalog/product_diff.html",
        {"product": product, "rows": rows, "changes": list(changes), "old": old, "new": new},
    )
