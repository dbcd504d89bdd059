"""The domain page: description, owners, sub-domains and their products."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from apps.catalog.models import DataProduct, Domain, Ownership
from apps.catalog.permissions import can_edit_domain
from apps.catalog.views.common import reader_required
from apps.catalog.views.extensions import domain_sections_for


@reader_required
def domain_detail(request, slug):
    domain = get_object_or_404(Domain, slug=slug)
    products = (
        DataProduct.objects.only("slug", "name", "summary", "lifecycle", "classification", "domain_id")
        .prefetch_related("tags")
        .order_by("name")
    )
    subtree = list(
        Domain.objects.subtree(domain).prefetch_related(Prefetch("products", queryset=products)).order_by("path")
    )
    owners = list(
        Ownership.objects.filter(domain__in=Domain.objects.ancestors_of(domain)).select_related(
            "user", "team", "domain"
        )
    )
    return render(
        request,
        "catalog/domain_detail.html",
        {
            "domain": domain,
            "subtree": subtree,
            "product_count": sum(len(d.products.all()) for d in subtree),
            "owners": owners,
            "ancestors": list(Domain.objects.ancestors_of(domain).exclude(pk=domain.pk)),
            "can_edit": can_edit_domain(request.user, domain),
            "extra_sections": domain_sections_for(domain),
        },
    )
