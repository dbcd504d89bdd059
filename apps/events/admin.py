"""Admin views of the events app: read-mostly; secrets are never shown."""

from django.contrib import admin

from apps.events.models import EventRoute, Follow, Notification, Preference, WebhookDelivery, WebhookSubscription


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("id", "url", "product", "domain", "enabled", "created_at")
    list_filter = ("enabled",)
    exclude = ("secret_encrypted", "previous_secret_encrypted")
    readonly_fields = ("url", "event_types", "product", "domain", "created_by", "previous_secret_expires_at")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("webhook_id", "subscription", "status", "attempts", "last_status_code", "next_attempt_at")
    list_filter = ("status",)
    raw_id_fields = ("event", "subscription")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("event", "user", "reason_code", "reason", "read_at", "emailed_at")
    list_filter = ("reason_code", "email")
    raw_id_fields = ("event", "user")


admin.site.register(Follow)
admin.site.register(Preference)
admin.site.register(EventRoute)
