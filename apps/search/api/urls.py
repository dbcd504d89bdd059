"""Search REST URLs; ``mesh_catalog.api.urls`` includes this module under ``api/v1/``."""

from django.urls import path

from apps.search.api.views import AutocompleteView, SearchView

app_name = "search-api"

urlpatterns = [
    path("search/", SearchView.as_view(), name="search"),
    path("search/autocomplete/", AutocompleteView.as_view(), name="autocomplete"),
]
