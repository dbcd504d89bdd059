from django.urls import path

from apps.events import views

app_name = "events"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox_read"),
    path("inbox/bell/", views.bell, name="bell"),
    path("inbox/preferences/", views.preferences, name="preferences"),
    path("follow/<str:kind>/<str:key>/", views.follow_toggle, name="follow"),
    path("webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook_detail"),
]
