"""``graphql_schema``: graphene-django's command, loaded through ``GrapheneDjangoConfig``.

Django finds the command in graphene-django's directory (the app's ``path``) and imports it
from the app's own package, this one (``mesh_catalog.graphql.apps`` says why).
"""

from graphene_django.management.commands.graphql_schema import Command

__all__ = ["Command"]
