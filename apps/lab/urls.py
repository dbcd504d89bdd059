from django.urls import path

from apps.lab import reader_views, views

app_name = "lab"

urlpatterns = [
    path("ports/<int:port_id>/", views.port_lab, name="port"),
    path("ports/<int:port_id>/panel/", views.port_panel, name="port_panel"),
    path("ports/<int:port_id>/run/", views.run, name="run"),
    path("ports/<int:port_id>/run.csv", views.run_csv, name="run_csv"),
    path("ports/<int:port_id>/queries/", views.sample_query_create, name="sample_query_create"),
    path("queries/<int:query_id>/delete/", views.sample_query_delete, name="sample_query_delete"),
    path("runs/cancel/", views.cancel, name="cancel"),
    path("sources/<str:name>/reader/", reader_views.source_reader, name="source_reader"),
]
