"""GraphQL of search: the ``search`` field (ranked hits with highlights and facet counts).

Mixed into the root ``Query`` by ``mesh_catalog.graphql.schema``; it reads through
``apps.search.service`` exactly like the search page and ``/api/v1/search/``.
"""

import graphene
from graphql import GraphQLError

from apps.search.service import SearchQueryError, search

SEARCH_HIT_FIELDS = ("type", "id", "name", "qualified_name", "url", "score", "highlights", "summary", "extra")


class SearchHitType(graphene.ObjectType):
    """One search result (a product, dataset, column, domain...) with its highlights."""

    class Meta:
        name = "SearchHit"

    type = graphene.String(required=True)
    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    qualified_name = graphene.String()
    url = graphene.String()
    score = graphene.Float()
    highlights = graphene.JSONString()
    summary = graphene.String()
    extra = graphene.JSONString()


class SearchResultType(graphene.ObjectType):
    """A page of search results with facet counts."""

    class Meta:
        name = "SearchResult"

    count = graphene.Int(required=True)
    page = graphene.Int(required=True)
    page_size = graphene.Int(required=True)
    facets = graphene.JSONString(required=True)
    results = graphene.List(graphene.NonNull(SearchHitType), required=True)


class SearchQuery(graphene.ObjectType):
    """The search field of the root query."""

    search = graphene.Field(
        SearchResultType,
        q=graphene.String(required=True),
        filters=graphene.JSONString(),
        page=graphene.Int(default_value=1),
        page_size=graphene.Int(default_value=20),
    )

    def resolve_search(root, info, q, filters=None, page=1, page_size=20):
        if not 1 <= page_size <= 100:
            raise GraphQLError("pageSize must be between 1 and 100.")
        try:
            result = search(q, filters=filters or None, page=page, page_size=page_size, user=info.context.user)
        except SearchQueryError as exc:
            raise GraphQLError(str(exc)) from None
        return SearchResultType(
            count=result.count,
            page=result.page,
            page_size=result.page_size,
            facets=result.facets,
            results=[SearchHitType(**{f: getattr(hit, f, None) for f in SEARCH_HIT_FIELDS}) for hit in result.results],
        )
