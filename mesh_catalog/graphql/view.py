"""The ``/graphql`` view: read permission, limits, local GraphiQL.

Reads need a logged-in user (session or ``Authorization: Bearer`` token, see
``apps.core.auth``) unless ``MESH_PUBLIC_READ``; mutations check their own permission.
GraphiQL's JavaScript and CSS are served from ``frontend/static/vendor/graphiql`` (the
exact files graphene-django would fetch from a CDN, checked against the same hashes).
"""

from functools import lru_cache

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse
from graphene_django.settings import graphene_settings
from graphene_django.views import GraphQLView, HttpError
from graphql import ExecutionResult, OperationType, execute, get_operation_ast, parse, validate

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

    def execute_graphql_request(self, request, data, query, variables, operation_name, show_graphiql=False):
        """graphene-django's steps, with parsing and validation cached per query text.

        Validation (standard rules plus our limits) does not depend on variables, so a
        client repeating the same document pays for it once per process.
        """
        if not query:
            if show_graphiql:
                return None
            raise HttpError(HttpResponseBadRequest("Must provide query string."))
        document, errors = _prepared(self.schema, query)
        if errors:
            return ExecutionResult(data=None, errors=list(errors))
        operation = get_operation_ast(document, operation_name)
        if request.method.lower() == "get" and operation is not None and operation.operation != OperationType.QUERY:
            if show_graphiql:
                return None
            raise HttpError(
                HttpResponseNotAllowed(
                    ["POST"], f"Can only perform a {operation.operation.value} operation from a POST request."
                )
            )
        try:
            return execute(
                self.schema.graphql_schema,
                document,
                root_value=self.get_root_value(request),
                context_value=self.get_context(request),
                variable_values=variables,
                operation_name=operation_name,
                middleware=self.get_middleware(request),
            )
        except Exception as exc:
            return ExecutionResult(errors=[exc])

    def dispatch(self, request, *args, **kwargs):
        if not read_allowed(request.user):
            if request.method == "GET" and self.can_display_graphiql(request, {}):
                return redirect_to_login(request.get_full_path())
            return JsonResponse(
                {
                    "errors": [
                        {
                            "message": "Authentication required: log in or send 'Authorization: Bearer <token>'.",
                            "extensions": {"code": "not_authenticated"},
                        }
                    ]
                },
                status=401,
            )
        return super().dispatch(request, *args, **kwargs)


@lru_cache(maxsize=256)
def _prepared(schema, query: str):
    """(document, validation errors) of a query text; cached, as both depend on the text only."""
    try:
        document = parse(query)
    except Exception as exc:
        return None, (exc,)
    return document, tuple(
        validate(schema.graphql_schema, document, VALIDATION_RULES, graphene_settings.MAX_VALIDATION_ERRORS)
    )
