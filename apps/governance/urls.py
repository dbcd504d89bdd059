from django.urls import path

from apps.governance import views

app_name = "governance"

urlpatterns = [
    path("ports/<int:port_id>/request/", views.request_access, name="request_access"),
    path("products/<slug:slug>/pending/", views.product_pending, name="product_pending"),
    path("requests/<int:request_id>/approve/", views.decide, {"decision": "approve"}, name="approve"),
    path("requests/<int:request_id>/deny/", views.decide, {"decision": "deny"}, name="deny"),
    path("mine/", views.my_requests, name="my_requests"),
]
