"""The home page: search box, domain map, recently changed, most used, my products."""

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.db.models.lookups import StartsWith
from django.shortcuts import render

from apps.catalog.models import DataProduct, Dataset, Domain, Ownership
from apps.catalog.permissions import editable_products
from apps.catalog.views.common import read_allowed

PRODUCT_LIST_FIELDS = ("slug", "name", "summary", "lifecycle", "classification", "domain_id", "updated_at")


def home(request):
    """The mesh at a glance, in a fixed number of queries whatever its size."""
    if not read_allowed(request):
        return render(request, "catalog/home_anonymous.html")
    products = DataProduct.objects.only(*PRODUCT_LIST_FIELDS).order_by("name")
    domains = Domain.objects.prefetch_related(Prefetch("products", queryset=products)).order_by("path")
    recent = (
        DataProduct.objects.select_related("domain")
        .only(*PRODUCT_LIST_FIELDS, "domain__name", "domain__slug")
        .order_by("-updated_at")[:8]
    )
    # "Most used" = most consumers: input ports of other products reading this one's output ports.
    most_used = (
        DataProduct.objects.select_related("domain")
        .only(*PRODUCT_LIST_FIELDS, "domain__name", "domain__slug")
        .annotate(consumer_count=Count("ports__consumer_ports__product", distinct=True))
        .filter(consumer_count__gt=0)
        .order_by("-consumer_count", "name")[:8]
    )
    mine = (
        my_products(request.user)
        .select_related("domain")
        .only(*PRODUCT_LIST_FIELDS, "domain__name", "domain__slug")
        .order_by("name")[:20]
        if request.user.is_authenticated and not request.user.is_superuser
        else []
    )
    counts = _counts()
    return render(
        request,
        "catalog/home.html",
        {
            "domains": domains,
            "recent": recent,
            "most_used": most_used,
            "mine": mine,
            "counts": counts,
            "dataset_count": counts["datasets"],
        },
    )


def my_products(user):
    """The products ``user`` edits (as ``permissions.editable_products``), in a single query.

    Owned directly or through a team, or inside a domain (or sub-domain) the user owns:
    the domain rule is a prefix match of materialized paths, inside one EXISTS.
    """
    held = Ownership.objects.filter(Q(user=user) | Q(team__members=user))
    return DataProduct.objects.filter(
        Exists(held.filter(product=OuterRef("pk")))
        | Exists(held.filter(domain__isnull=False).filter(StartsWith(OuterRef("domain__path"), F("domain__path"))))
    )


def _counts() -> dict:
    """Products, published products and live datasets, in one round trip."""
    products, datasets = DataProduct._meta.db_table, Dataset._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT count(*) FROM {products}), (SELECT count(*) FROM {products} WHERE lifecycle = %s),"
            f" (SELECT count(*) FROM {datasets} WHERE removed_at IS NULL)",
            ["published"],
        )
        total, published, live = cursor.fetchone()
    return {"total": total, "published": published, "datasets": live}


def profile_products(user):
    """The profile page's "Products you can edit" (registered into ``apps.core.views.profile_sections``)."""
    return (
        editable_products(user)
        .select_related("domain")
        .only("slug", "name", "lifecycle", "domain__name", "domain__slug")
        .order_by("domain__path", "name")[:200]
    )
