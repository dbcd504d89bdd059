"""The ``/graphql`` view: read permission, limits, local GraphiQL.

Reads need a logged-in user (session or ``Authorization: Bearer`` token, see
``apps.core.auth``) unless ``MESH_PUBLIC_READ``; mutations check their own permission.
GraphiQL's JavaScript and CSS are served from ``frontend/static/vendor/graphiql`` (the
exact files graphene-django would fetch from a CDN, checked against the same hashes).

Bounded input: the JSON body goes through ``mesh_catalog.api.bounds`` (no NUL, no lone
surrogate, bounded nesting), the document is refused over ``MESH_GRAPHQL_MAX_DOCUMENT_CHARS``
characters or ``MESH_GRAPHQL_MAX_TOKENS`` tokens before it is parsed, and our own
validation rules run only on documents the standard rules accept (graphene's depth
validator recurses through a fragment cycle until ``RecursionError``).

CSRF: the view is exempt from Django's middleware and enforces CSRF itself, only for
session-cookie requests, as DRF does. A request without credentials has no ambient
authority to protect, so it gets the 401 it deserves instead of a CSRF 403 page.
"""

from functools import lru_cache

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest, HttpResponseNotAllowed, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from graphene_django.settings import graphene_settings
from graphene_django.views import GraphQLView, HttpError
from graphql import ExecutionResult, GraphQLError, OperationType, execute, get_operation_ast, parse, validate

from apps.catalog.graphql import page_cache
from mesh_catalog.api import bounds
from mesh_catalog.api.permissions import read_allowed
from mesh_catalog.graphql.limits import CUSTOM_RULES, STANDARD_RULES, VALIDATION_RULES


def _transport_error(status: int, code: str, message: str) -> JsonResponse:
    """An error outside GraphQL execution: GraphQL's shape plus our field/code keys."""
    error = {"field": None, "code": code, "message": message, "extensions": {"code": code}}
    return JsonResponse({"errors": [error]}, status=status)


@method_decorator(csrf_exempt, name="dispatch")
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
        if not isinstance(query, str):
            raise HttpError(HttpResponseBadRequest("The query must be a string."))
        if len(query) > settings.MESH_GRAPHQL_MAX_DOCUMENT_CHARS:
            return ExecutionResult(
                errors=[
                    GraphQLError(
                        f"The document is longer than {settings.MESH_GRAPHQL_MAX_DOCUMENT_CHARS:,} characters.",
                        extensions={"code": "too_large"},
                    )
                ]
            )
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

        def run() -> ExecutionResult:
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

        # The product page's result is shared between readers while nothing changed (issue 17).
        return page_cache.execute_cached(
            self.schema.graphql_schema, request, document, operation, query, operation_name, variables, run
        )

    @staticmethod
    def format_error(error):
        """GraphQL's error shape, plus the ``field`` and ``code`` keys every API error carries."""
        formatted = GraphQLView.format_error(error)
        extensions = formatted.get("extensions") or {}
        code = extensions.get("code") or ("graphql_error" if isinstance(error, GraphQLError) else "bad_request")
        path = formatted.get("path")
        formatted.setdefault("code", code)
        formatted.setdefault("field", ".".join(map(str, path)) if path else None)
        return formatted

    def parse_body(self, request):
        if self.get_content_type(request) == "application/json":
            data = getattr(request, "_mesh_json", None)
            if data is None:
                try:
                    data = bounds.loads(request.body)
                except bounds.BadInput as exc:
                    raise HttpError(HttpResponseBadRequest(exc.message)) from None
            if not isinstance(data, dict):
                raise HttpError(HttpResponseBadRequest("The received data is not a valid JSON query."))
            return data
        return super().parse_body(request)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not getattr(request, "_dont_enforce_csrf_checks", False):
            # A session cookie: the only credential a forged cross-site request can carry.
            refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
            if refused is not None:
                return _transport_error(403, "csrf_failed", "CSRF check failed: send the X-CSRFToken header.")
        if request.method == "POST" and request.content_type == "application/json":
            try:
                request._mesh_json = bounds.loads(request.body)
            except bounds.BadInput as exc:
                return _transport_error(exc.status, exc.code, exc.message)
        if not read_allowed(request.user):
            if request.method == "GET" and self.can_display_graphiql(request, {}):
                return redirect_to_login(request.get_full_path())
            return _transport_error(
                401, "not_authenticated", "Authentication required: log in or send 'Authorization: Bearer <token>'."
            )
        return super().dispatch(request, *args, **kwargs)


@lru_cache(maxsize=256)
def _prepared(schema, query: str):
    """(document, validation errors) of a query text; cached, as both depend on the text only."""
    try:
        document = parse(query, max_tokens=settings.MESH_GRAPHQL_MAX_TOKENS)
    except GraphQLError as exc:
        return None, (exc,)
    except RecursionError:
        return None, (GraphQLError("The document is nested too deeply.", extensions={"code": "too_deep"}),)
    # The standard rules first: a fragment cycle or unknown field is reported there, and
    # our rules (depth, aliases, cost) only ever walk documents that are well formed.
    errors = validate(schema.graphql_schema, document, STANDARD_RULES, graphene_settings.MAX_VALIDATION_ERRORS)
    if not errors:
        try:
            errors = validate(schema.graphql_schema, document, CUSTOM_RULES, graphene_settings.MAX_VALIDATION_ERRORS)
        except RecursionError:
            errors = [GraphQLError("The document is nested too deeply.", extensions={"code": "too_deep"})]
    return document, tuple(errors)
