"""Events endpoints under ``/api/v1/`` (included by ``mesh_catalog.api.urls``)."""

from django.urls import path

from apps.events.api import views

urlpatterns = [
    path("events/", views.EventFeedView.as_view(), name="event-feed"),
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("inbox/read/", views.InboxReadView.as_view(), name="inbox-read"),
    path("follows/", views.FollowsView.as_view(), name="follows"),
    path("preferences/", views.PreferencesView.as_view(), name="preferences"),
    path("webhooks/", views.WebhookListView.as_view(), name="webhook-list"),
    path("webhooks/<int:pk>/", views.WebhookDetailView.as_view(), name="webhook-detail"),
    path("webhooks/<int:pk>/rotate-secret/", views.WebhookRotateView.as_view(), name="webhook-rotate"),
    path("webhooks/<int:pk>/deliveries/", views.WebhookDeliveriesView.as_view(), name="webhook-deliveries"),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_id>/redeliver/",
        views.WebhookRedeliverView.as_view(),
        name="webhook-redeliver",
    ),
]
