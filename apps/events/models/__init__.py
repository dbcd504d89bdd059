from apps.events.models.inbox import DeliveryMode, EventRoute, Follow, FollowTarget, Notification, Preference
from apps.events.models.webhooks import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "DeliveryMode",
    "DeliveryStatus",
    "EventRoute",
    "Follow",
    "FollowTarget",
    "Notification",
    "Preference",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
]
