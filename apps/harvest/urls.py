from django.urls import path

from apps.harvest import views

app_name = "harvest"

urlpatterns = [
    path("sources/", views.source_list, name="source_list"),
    path("sources/new/", views.source_create, name="source_create"),
    path("sources/test-connection/", views.source_test_draft, name="source_test_draft"),
    path("sources/<slug:name>/", views.source_detail, name="source_detail"),
    path("sources/<slug:name>/edit/", views.source_edit, name="source_edit"),
    path("sources/<slug:name>/test/", views.source_test, name="source_test"),
    path("sources/<slug:name>/harvest/", views.source_harvest, name="source_harvest"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
]
