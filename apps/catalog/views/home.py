"""The home page: search box, domain map, recently changed, most used, my products."""
from django.db.models import Count, Prefetch, Q
from django.shortcuts import render

from apps.catalog.models import DataProduct, Dataset, Domain
from apps.catalog.permissions import editable_products
from apps.catalog.views.common import read_allowed

PRODUCT_LIST_FIELDS = ("slug", "name", "summary", "lifecycle", "classification", "domain_id", "updated_at")


def home(request):
    """The mesh at a glance, in a fixed number of queries whatever its size."""
    if not read_allowed(request):
        return render(request, "catalog/home_anonymous.html")
    products = DataProduct.objects.only(*PRODUCT_LIST_FIELDS).order_by("name")
    domains = Domain.objects.prefetch_related(Prefetch("products", queryset=products)).order_by("path")
    recent = DataProduct.objects.select_related("domain").only(*PRODUCT_LIST_FIELDS, "domain__name", "domain__slug").order_by("-updated_at")[:8]
    # "Most used" = most consumers: input ports of other products reading this one's output ports.
    most_used = (
        DataProduct.objects.select_related("domain")
        .only(*PRODUCT_LIST_FIELDS, "domain__name", "domain__slug")
        .annotate(consumer_count=Count("ports__consumer_ports__product", distinct=True))
        .filter(consumer_count__gt=0)
        .order_by("-consumer_count", "name")[:8]
    )
    mine = editable_products(request.user).select_related("domain").only(*PRODUCT_LIST_FIELDS, "domain__name", "domain__slug").order_by("name")[:20] if request.user.is_authenticated and not request.user.is_superuser else []
    counts = DataProduct.objects.aggregate(total=Count("id"), published=Count("id", filter=Q(lifecycle="published")))
    return render(
        request,
        "catalog/home.html",
        {
            "domains": domains,
            "recent": recent,
            "most_used": most_used,
            "mine": mine,
            "counts": counts,
            "dataset_count": Dataset.objects.live().count(),
        },
    )
