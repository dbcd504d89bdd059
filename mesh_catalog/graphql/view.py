"""The ``/graphql`` view: read permission, limits, local GraphiQL.

Reads need a logged-in user (session or ``Authorization: Bearer`` token, see
``apps.core.auth``) unless ``MESH_PUBLIC_READ``; mutations check their own permission.
GraphiQL's JavaScript and CSS are served from ``frontend/static/vendor/graphiql`` (the
exact files graphene-django would fetch from a CDN, checked against the same hashes).
"""
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from graphene_django.views import GraphQLView

from mesh_catalog.api.permissions import read_allowed
from mesh_catalog.graphql.limits import VALIDATION_RULES


class MeshGraphQLView(GraphQLView):
    """graphene-django's view with our validation rules, auth rule and offline GraphiQL."""

    graphiql_template = "graphql/graphiql.html"
    validation_rules = VALIDATION_RULES

    def __init__(self, **kwargs):
        kwargs.setdefault("validation_rules", VALIDATION_RULES)
        kwargs.setdefault("graphiql", True)
        super().__init__(**kwargs)

    def dispatch(self, request, *args, **kwargs):
        if not read_allowed(request.user):
            if request.method == "GET" and self.can_display_graphiql(request, {}):
                return redirect_to_login(request.get_full_path())
            return JsonResponse({"errors": [{"message": "Authentication required: log in or send 'Authorization: Bearer <token>'.", "extensions": {"code": "not_authenticated"}}]}, status=401)
        return super().dispatch(request, *args, **kwargs)
