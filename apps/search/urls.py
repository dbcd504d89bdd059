"""Pages of search: the results page and the suggestions under the search boxes."""

from django.urls import path

from apps.search import views

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("search/suggest/", views.search_suggest, name="search_suggest"),
]
