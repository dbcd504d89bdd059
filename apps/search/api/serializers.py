"""Shapes of the search REST endpoints (documented by drf-spectacular)."""

from rest_framework import serializers


class SearchParamsSerializer(serializers.Serializer):
    """Query string of ``GET /api/v1/search/``; each facet may repeat (``?tag=a&tag=b``)."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Words to look for; typos and partial words are forgiven.",
    )
    page = serializers.IntegerField(required=False, default=1, min_value=1)
    page_size = serializers.IntegerField(required=False, default=20, min_value=1, max_value=100)
    type = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="product, dataset, column, domain, team, person, tag"
    )
    domain = serializers.ListField(child=serializers.CharField(), required=False)
    platform = serializers.ListField(child=serializers.CharField(), required=False)
    tag = serializers.ListField(child=serializers.CharField(), required=False)
    owner = serializers.ListField(child=serializers.CharField(), required=False, help_text="Username or team slug.")
    classification = serializers.ListField(child=serializers.CharField(), required=False)
    lifecycle = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="draft, published, deprecated, retired, removed"
    )


class SearchHitSerializer(serializers.Serializer):
    """One ranked hit; ``highlights`` maps a field to its HTML-escaped text with ``<mark>`` around matches."""

    type = serializers.CharField()
    id = serializers.IntegerField()
    name = serializers.CharField()
    qualified_name = serializers.CharField(help_text="Datasets: namespace/name; products: domain.slug.")
    url = serializers.CharField()
    score = serializers.FloatField()
    summary = serializers.CharField()
    highlights = serializers.DictField(child=serializers.CharField())


class SearchResultSerializer(serializers.Serializer):
    """A page of hits, the total, and facet counts (facet → value → count) over all matches."""

    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = SearchHitSerializer(many=True)
    facets = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))


class AutocompleteParamsSerializer(serializers.Serializer):
    """Query string of ``GET /api/v1/search/autocomplete/``."""

    q = serializers.CharField(required=False, allow_blank=True, default="")
    limit = serializers.IntegerField(required=False, default=8, min_value=1, max_value=20)


class AutocompleteSerializer(serializers.Serializer):
    """Suggestions for the search box, best first."""

    results = SearchHitSerializer(many=True)
