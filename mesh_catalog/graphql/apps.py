"""graphene-django as an installed app, without importing graphene at start-up."""

from importlib.util import find_spec

from django.apps import AppConfig


def _graphene_django_path() -> str:
    spec = find_spec("graphene_django")  # locates the package without running its __init__
    assert spec is not None and spec.submodule_search_locations
    return spec.submodule_search_locations[0]


class GrapheneDjangoConfig(AppConfig):
    """Stands in for ``"graphene_django"`` in ``INSTALLED_APPS``.

    Why: Django imports an installed app's package, and ``graphene_django/__init__.py`` imports
    graphene, graphql-core, graphql-relay and ``django.test`` (its settings listen to
    ``setting_changed``): ~0.15 s of CPU in every process — ``manage.py harvest``, workers —
    though only the GraphQL view and schema use them, and they import graphene themselves.
    The app has no models; what its registration provides is its directory: the static file
    ``graphene_django/graphiql.js`` our GraphiQL page loads, its templates, and the
    ``graphql_schema`` command (found in ``path``, loaded from this package's shim).
    """

    name = "mesh_catalog.graphql"
    label = "graphene_django"
    verbose_name = "GraphQL (graphene-django)"
    path = _graphene_django_path()
