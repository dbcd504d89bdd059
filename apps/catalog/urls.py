from django.urls import path

from apps.catalog import views

app_name = "catalog"

urlpatterns = [
    path("domains/<slug:slug>/", views.domain_detail, name="domain_detail"),
    path("products/<slug:slug>/", views.product_detail, name="product_detail"),
    path("products/<slug:slug>/schema/", views.product_schema, name="product_schema"),
    path("products/<slug:slug>/more-ports/", views.product_more_ports, name="product_more_ports"),
    path("products/<slug:slug>/quality/", views.product_quality, name="product_quality"),
    path("products/<slug:slug>/history/", views.product_history, name="product_history"),
    path("products/<slug:slug>/history/<int:change_id>/", views.product_version, name="product_version"),
    path("products/<slug:slug>/diff/", views.product_diff, name="product_diff"),
    path("products/<slug:slug>/edit/<str:section>/", views.product_edit, name="product_edit"),
    path("products/<slug:slug>/owners/", views.owners_edit, name="owners_edit"),
    path("products/<slug:slug>/owners/<int:ownership_id>/remove/", views.owner_remove, name="owner_remove"),
    path("products/<slug:slug>/ports/new/", views.port_new, name="port_new"),
    path("products/<slug:slug>/ports/<int:port_id>/edit/", views.port_edit, name="port_edit"),
    path("products/<slug:slug>/ports/<int:port_id>/delete/", views.port_delete, name="port_delete"),
    path("datasets/<int:pk>/", views.dataset_detail, name="dataset_detail"),
    path("datasets/<int:pk>/columns/", views.dataset_columns, name="dataset_columns"),
    path("lineage/", views.lineage, name="lineage"),
    path("pickers/datasets/", views.dataset_picker, name="dataset_picker"),
    path("pickers/ports/", views.port_picker, name="port_picker"),
    path("markdown/preview/", views.markdown_preview, name="markdown_preview"),
]
