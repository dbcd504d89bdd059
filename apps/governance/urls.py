from django.urls import path

from apps.governance import views

app_name = "governance"

urlpatterns = [
    path("ports/<int:port_id>/request/", views.request_access, name="request_access"),
    path("ports/<int:port_id>/pending/", views.port_pending, name="port_pending"),
    path("requests/<int:request_id>/approve/", views.decide, {"decision": "approve"}, name="approve"),
    path("requests/<int:request_id>/deny/", views.decide, {"decision": "deny"}, name="deny"),
    path("mine/", views.my_requests, name="my_requests"),
    path("pending/", views.pending_all, name="pending"),
]
