"""``/graphql`` (POST for programs, GET in a browser for GraphiQL)."""

from django.urls import path

from mesh_catalog.graphql.view import MeshGraphQLView

urlpatterns = [path("graphql", MeshGraphQLView.as_view(), name="graphql")]
