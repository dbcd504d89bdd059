from django.urls import path

from apps.trust import views

app_name = "trust"

urlpatterns = [
    path("maturity/", views.leaderboard, name="leaderboard"),
    path("domains/<slug:slug>/", views.domain_rollup, name="domain_rollup"),
    path("products/<slug:slug>/", views.product_trust, name="product_trust"),
    path("products/<slug:slug>/badge/", views.maturity_badge, name="maturity_badge"),
    path("products/<slug:slug>/incidents/new/", views.incident_new, name="incident_new"),
    path("datasets/<int:pk>/quality/", views.dataset_quality, name="dataset_quality"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/update/", views.incident_update, name="incident_update"),
]
