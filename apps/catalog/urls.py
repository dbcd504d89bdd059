from django.urls import path

from apps.catalog import views

app_name = "catalog"

urlpatterns = [
    path("domains/<slug:slug>/", views.domain_detail, name="domain_detail"),
    path("products/<slug:slug>/", views.product_detail, name="product_detail"),
    path("datasets/<int:pk>/", views.dataset_detail, name="dataset_detail"),
]
