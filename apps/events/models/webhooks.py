"""Webhook subscriptions and the log of what was delivered to them (Standard Webhooks)."""

from django.conf import settings
from django.db import models

from apps.core.crypto import decrypt, encrypt


class WebhookSubscription(models.Model):
    """An HTTPS (or, in tests, local HTTP) endpoint that receives matching events, signed.

    ``event_types`` empty means every type; ``domain``/``product`` narrow the scope.
    Secrets are stored encrypted and shown once when created or rotated; after a rotation
    the previous secret keeps signing too (both signatures are sent) until it expires.
    """

    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list, blank=True)
    domain = models.ForeignKey("catalog.Domain", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(
        "catalog.DataProduct", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    secret_encrypted = models.TextField(editable=False)
    previous_secret_encrypted = models.TextField(blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["enabled"], name="webhook_sub_enabled_idx")]

    def __str__(self):
        return self.url

    @property
    def secret(self) -> str:
        return decrypt(self.secret_encrypted)

    def set_secret(self, value: str) -> None:
        self.secret_encrypted = encrypt(value)

    def signing_secrets(self, now) -> list[str]:
        secrets = [self.secret]
        if self.previous_secret_encrypted and (
            self.previous_secret_expires_at is None or self.previous_secret_expires_at > now
        ):
            secrets.append(decrypt(self.previous_secret_encrypted))
        return secrets

    def matches(self, event, domain_paths: dict[str, str]) -> bool:
        """Whether ``event`` is for this subscription (``domain_paths``: slug → materialized path)."""
        if self.event_types and event.type not in self.event_types:
            return False
        if self.product_id is not None and event.data.get("product_id") != self.product_id:
            return False
        if self.domain_id is not None:
            mine = domain_paths.get(self.domain.slug, "")
            theirs = domain_paths.get(event.domain_slug, "")
            if not (mine and theirs.startswith(mine)):
                return False
        return True


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERING = "delivering", "Delivering"
    RETRYING = "retrying", "Retrying"
    SUCCEEDED = "succeeded", "Delivered"
    DEAD = "dead", "Dead-lettered"


class WebhookDelivery(models.Model):
    """One event to one subscription: at least once, with a stable ``webhook_id``.

    A worker claims the row (``delivering`` until ``locked_until``) before sending; a worker
    killed mid-send leaves a lapsed lease that the sweep re-queues, and the receiver sees
    the same ``webhook-id`` again and can de-duplicate.
    """

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey("core.Event", on_delete=models.CASCADE, related_name="webhook_deliveries")
    webhook_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, db_index=True, help_text="Which batch claimed it.")
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["subscription", "event"], name="uniq_webhook_delivery")]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_due_idx"),
            models.Index(fields=["subscription", "-id"], name="webhook_sub_log_idx"),
        ]

    def __str__(self):
        return f"{self.webhook_id} {self.status}"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery: when, what came back, how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["delivery_id", "number"]
        indexes = [models.Index(fields=["delivery", "number"], name="webhook_attempt_idx")]

    def __str__(self):
        return f"{self.delivery_id}#{self.number} {self.status_code or self.error}"


__all__ = ["DeliveryStatus", "WebhookAttempt", "WebhookDelivery", "WebhookSubscription"]
