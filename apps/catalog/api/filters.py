"""django-filter filter sets of the catalog's REST lists (each backed by an index)."""

import django_filters

from apps.catalog.models import Classification, DataProduct, Dataset, Domain, Lifecycle, Ownership, Port, PortDirection


class DomainFilter(django_filters.FilterSet):
    """Filter domains by parent slug or by subtree (``within``)."""

    parent = django_filters.CharFilter(field_name="parent__slug")
    within = django_filters.CharFilter(method="filter_within", label="Slug of a domain: it and its sub-domains.")

    class Meta:
        model = Domain
        fields = ["parent", "depth"]

    def filter_within(self, queryset, name, value):
        root = Domain.objects.filter(slug=value).first()
        return queryset.filter(path__startswith=root.path) if root else queryset.none()


class ProductFilter(django_filters.FilterSet):
    """Filter products by domain (subtree), lifecycle, classification, tag or name."""

    domain = django_filters.CharFilter(method="filter_domain", label="Domain slug (includes sub-domains).")
    lifecycle = django_filters.MultipleChoiceFilter(choices=Lifecycle.choices)
    classification = django_filters.MultipleChoiceFilter(choices=Classification.choices)
    tag = django_filters.CharFilter(field_name="tags__slug")
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = DataProduct
        fields = ["domain", "lifecycle", "classification", "tag", "name"]

    def filter_domain(self, queryset, name, value):
        root = Domain.objects.filter(slug=value).first()
        return queryset.filter(domain__path__startswith=root.path) if root else queryset.none()


class PortFilter(django_filters.FilterSet):
    """Filter ports by product slug and direction."""

    product = django_filters.CharFilter(field_name="product__slug")
    direction = django_filters.ChoiceFilter(choices=PortDirection.choices)

    class Meta:
        model = Port
        fields = ["product", "direction", "protocol"]


class OwnershipFilter(django_filters.FilterSet):
    """Filter ownership by product, domain, user or team."""

    product = django_filters.CharFilter(field_name="product__slug")
    domain = django_filters.CharFilter(field_name="domain__slug")
    user = django_filters.CharFilter(field_name="user__username")
    team = django_filters.CharFilter(field_name="team__slug")

    class Meta:
        model = Ownership
        fields = ["product", "domain", "user", "team", "role"]


class DatasetFilter(django_filters.FilterSet):
    """Filter datasets by identity, platform, kind; removed ones only when asked."""

    include_removed = django_filters.BooleanFilter(method="filter_removed")

    class Meta:
        model = Dataset
        fields = ["namespace", "name", "platform", "kind", "include_removed"]

    def filter_removed(self, queryset, name, value):
        return queryset if value else queryset.filter(removed_at__isnull=True)
