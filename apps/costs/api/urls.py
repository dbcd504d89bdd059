from django.urls import path

from apps.costs.api import views

urlpatterns = [
    path("products/<slug:slug>/costs/", views.ProductCostsView.as_view(), name="api-product-costs"),
    path("costs/unattributed/", views.UnattributedView.as_view(), name="api-costs-unattributed"),
    path("costs/imports/", views.CostImportView.as_view(), name="api-costs-import"),
]
