from django.urls import path

from apps.contracts import views

app_name = "contracts"

urlpatterns = [
    path("products/<slug:slug>/contract/", views.product_contract, name="product_contract"),
    path("impact/<int:entry_id>/acknowledge/", views.acknowledge, name="acknowledge"),
]
