"""REST endpoints of search: ``GET /api/v1/search/`` and ``GET /api/v1/search/autocomplete/``.

Both call ``apps.search.service`` (the function the web page and GraphQL use) and answer a
bad query with 400 and ``{"errors": [{field, code, message}]}``.
"""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.search import service
from apps.search.api.serializers import (
    AutocompleteParamsSerializer,
    AutocompleteSerializer,
    SearchParamsSerializer,
    SearchResultSerializer,
)
from apps.search.service import FACETS as FACET_PARAMS


class CanReadCatalog(BasePermission):
    """Logged-in users, or everyone when ``MESH_PUBLIC_READ`` is on."""

    def has_permission(self, request, view):
        return settings.MESH_PUBLIC_READ or bool(request.user and request.user.is_authenticated)


def _bad_request(errors) -> Response:
    if isinstance(errors, dict):
        body = [
            {"field": f, "code": "invalid", "message": str(m[0] if isinstance(m, list) else m)}
            for f, m in errors.items()
        ]
    else:
        body = [{"field": "q", "code": "invalid_query", "message": str(errors)}]
    return Response({"errors": body}, status=status.HTTP_400_BAD_REQUEST)


def _hit(hit) -> dict:
    return {
        "type": hit.type,
        "id": hit.id,
        "name": hit.name,
        "qualified_name": hit.qualified_name,
        "url": hit.url,
        "score": hit.score,
        "summary": hit.summary,
        "highlights": hit.highlights,
    }


class SearchView(APIView):
    """Ranked, faceted search over products, datasets, columns, domains, teams, people and tags."""

    permission_classes = [CanReadCatalog]

    @extend_schema(
        parameters=[SearchParamsSerializer],
        responses={200: SearchResultSerializer},
    )
    def get(self, request):
        params = {
            key: request.query_params.getlist(key) if key in FACET_PARAMS else request.query_params.get(key)
            for key in request.query_params
        }
        serializer = SearchParamsSerializer(data={k: v for k, v in params.items() if v not in (None, [])})
        if not serializer.is_valid():
            return _bad_request(serializer.errors)
        data = serializer.validated_data
        filters = {facet: data[facet] for facet in FACET_PARAMS if data.get(facet)}
        try:
            result = service.search(
                data["q"], filters=filters, page=data["page"], page_size=data["page_size"], user=request.user
            )
        except service.SearchQueryError as exc:
            return _bad_request(exc)
        body = {
            "count": result.count,
            "page": result.page,
            "page_size": result.page_size,
            "results": [_hit(h) for h in result.results],
            "facets": result.facets,
        }
        return Response(body)


class AutocompleteView(APIView):
    """Top matches by name for the search box, as the user types."""

    permission_classes = [CanReadCatalog]

    @extend_schema(parameters=[AutocompleteParamsSerializer], responses={200: AutocompleteSerializer})
    def get(self, request):
        serializer = AutocompleteParamsSerializer(data=request.query_params)
        if not serializer.is_valid():
            return _bad_request(serializer.errors)
        try:
            hits = service.autocomplete(
                serializer.validated_data["q"], limit=serializer.validated_data["limit"], user=request.user
            )
        except service.SearchQueryError as exc:
            return _bad_request(exc)
        return Response({"results": [_hit(h) for h in hits]})
