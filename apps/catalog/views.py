"""Read-only pages of the mesh. Edits go through forms that call ``actions.py``."""
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, render

from apps.catalog.models import DataProduct, Dataset, Domain, Ownership, Port


def _read_allowed(request) -> bool:
    return settings.MESH_PUBLIC_READ or request.user.is_authenticated


def reader_required(view):
    """Reads need a logged-in user unless the operator enabled public read."""

    def wrapped(request, *args, **kwargs):
        if not _read_allowed(request):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def home(request):
    """The mesh at a glance: every domain (as a tree) with its products."""
    if not _read_allowed(request):
        return render(request, "catalog/home_anonymous.html")
    products = DataProduct.objects.only("slug", "name", "summary", "lifecycle", "classification", "domain_id").order_by("name")
    domains = Domain.objects.prefetch_related(Prefetch("products", queryset=products)).order_by("path")
    recent = DataProduct.objects.select_related("domain").order_by("-updated_at")[:8]
    counts = DataProduct.objects.aggregate(total=Count("id"), published=Count("id", filter=Q(lifecycle="published")))
    return render(request, "catalog/home.html", {"domains": domains, "recent": recent, "counts": counts, "dataset_count": Dataset.objects.live().count()})


@reader_required
def domain_detail(request, slug):
    domain = get_object_or_404(Domain, slug=slug)
    subtree = Domain.objects.subtree(domain).prefetch_related("products")
    owners = Ownership.objects.filter(domain=domain).select_related("user", "team")
    return render(request, "catalog/domain_detail.html", {"domain": domain, "subtree": subtree, "owners": owners, "ancestors": Domain.objects.ancestors_of(domain)})


@reader_required
def product_detail(request, slug):
    product = get_object_or_404(DataProduct.objects.select_related("domain").prefetch_related("tags"), slug=slug)
    ports = (
        Port.objects.filter(product=product)
        .select_related("upstream_port__product")
        .prefetch_related(Prefetch("datasets", queryset=Dataset.objects.only("id", "namespace", "name", "kind", "platform", "removed_at")))
    )
    owners = Ownership.objects.filter(product=product).select_related("user", "team")
    consumers = Port.objects.filter(upstream_port__product=product).select_related("product")
    return render(request, "catalog/product_detail.html", {"product": product, "ports": ports, "owners": owners, "consumers": consumers})


@reader_required
def dataset_detail(request, pk):
    dataset = get_object_or_404(Dataset.objects.select_related("source"), pk=pk)
    return render(
        request,
        "catalog/dataset_detail.html",
        {
            "dataset": dataset,
            "columns": dataset.columns.all(),
            "upstream": Dataset.objects.filter(downstream_edges__downstream=dataset).distinct(),
            "downstream": Dataset.objects.filter(upstream_edges__upstream=dataset).distinct(),
            "products": DataProduct.objects.filter(ports__datasets=dataset).distinct(),
        },
    )
