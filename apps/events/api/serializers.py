"""Shapes of the events API. Secrets appear only in the create / rotate answers."""

from rest_framework import serializers

from apps.events.models import Notification, WebhookAttempt, WebhookDelivery, WebhookSubscription


class SubscriptionInput(serializers.Serializer):
    """``POST /api/v1/webhooks/``: where to send which events."""

    url = serializers.CharField(max_length=500)
    event_types = serializers.ListField(child=serializers.CharField(max_length=100), max_length=100, required=False)
    domain = serializers.SlugField(max_length=100, required=False, allow_null=True)
    product = serializers.SlugField(max_length=100, required=False, allow_null=True)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SubscriptionSerializer(serializers.ModelSerializer):
    """A subscription without its secret."""

    domain = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    product = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "domain",
            "product",
            "enabled",
            "disabled_reason",
            "previous_secret_expires_at",
            "created_at",
        ]


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "at", "status_code", "error", "duration_ms"]


class DeliverySerializer(serializers.ModelSerializer):
    """One event to one subscription: status, attempts and the last answer."""

    event_id = serializers.UUIDField(source="event.uid", read_only=True)
    event_type = serializers.CharField(source="event.type", read_only=True)
    attempt_log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook_id",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "created_at",
            "attempt_log",
        ]


class NotificationSerializer(serializers.ModelSerializer):
    """An inbox entry: the event (CloudEvents envelope), why you got it, whether you read it."""

    event = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "reason", "reason_code", "read_at", "created_at", "summary", "event"]

    def get_event(self, obj) -> dict:
        return obj.event.as_cloudevent()

    def get_summary(self, obj) -> str:
        from apps.events.describe import summary

        return summary(obj.event)
