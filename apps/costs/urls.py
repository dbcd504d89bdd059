from django.urls import path

from apps.costs import views

app_name = "costs"

urlpatterns = [
    path("products/<slug:slug>/costs/", views.product_panel, name="product_panel"),
    path("products/<slug:slug>/costs/budget/", views.budget_edit, name="budget_edit"),
    path("domains/<slug:slug>/costs/", views.domain_panel, name="domain_panel"),
    path("costs/", views.mesh_costs, name="mesh"),
]
