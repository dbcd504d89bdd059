"""Who follows what, what each person was told (and why), and how they want to be told."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class FollowTarget(models.TextChoices):
    PRODUCT = "product", "Data product"
    DOMAIN = "domain", "Domain"
    DATASET = "dataset", "Dataset"


class Follow(models.Model):
    """A person's explicit follow of a product, a domain or a dataset.

    Owners, consumers through an input port and grant holders follow implicitly (routing
    finds them from the catalog); this row is for everyone else who wants to hear.
    Exactly one target is set, matching ``target``.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mesh_follows")
    target = models.CharField(max_length=10, choices=FollowTarget.choices)
    product = models.ForeignKey(
        "catalog.DataProduct", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    domain = models.ForeignKey("catalog.Domain", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    dataset = models.ForeignKey("catalog.Dataset", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(target="product", product__isnull=False, domain__isnull=True, dataset__isnull=True)
                    | Q(target="domain", domain__isnull=False, product__isnull=True, dataset__isnull=True)
                    | Q(target="dataset", dataset__isnull=False, product__isnull=True, domain__isnull=True)
                ),
                name="follow_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "product"], condition=Q(product__isnull=False), name="uniq_follow_product"
            ),
            models.UniqueConstraint(
                fields=["user", "domain"], condition=Q(domain__isnull=False), name="uniq_follow_domain"
            ),
            models.UniqueConstraint(
                fields=["user", "dataset"], condition=Q(dataset__isnull=False), name="uniq_follow_dataset"
            ),
        ]
        indexes = [
            models.Index(fields=["product"], name="follow_product_idx"),
            models.Index(fields=["domain"], name="follow_domain_idx"),
            models.Index(fields=["dataset"], name="follow_dataset_idx"),
        ]

    def __str__(self):
        return f"{self.user_id} follows {self.target} {self.product_id or self.domain_id or self.dataset_id}"


class DeliveryMode(models.TextChoices):
    OFF = "off", "No e-mail"
    INSTANT = "instant", "E-mail right away (batched when many arrive)"
    DAILY = "daily", "Daily digest"


class Preference(models.Model):
    """How one person wants to hear of one event type (``event_type`` blank: every type).

    A type-specific row wins over the blank one; without any row: in the inbox, no e-mail.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mesh_preferences")
    event_type = models.CharField(max_length=100, blank=True, help_text="mesh.<thing>.<happened>, or blank for all.")
    in_app = models.BooleanField(default=True)
    email = models.CharField(max_length=8, choices=DeliveryMode.choices, default=DeliveryMode.OFF)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event_type"], name="uniq_preference")]

    def __str__(self):
        return f"{self.user_id} {self.event_type or '*'}: in_app={self.in_app} email={self.email}"


class Notification(models.Model):
    """One event told to one person, with why they were told (``reason``).

    Unique per (event, user): routing twice (a redelivered task) tells nobody twice.
    ``in_app`` False means the person asked for e-mail only (hidden from the inbox).
    """

    event = models.ForeignKey("core.Event", on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mesh_notifications")
    reason = models.CharField(max_length=300)
    reason_code = models.CharField(max_length=20, help_text="owner, follower, consumer, lineage, grant, lab, …")
    in_app = models.BooleanField(default=True)
    email = models.CharField(max_length=8, choices=DeliveryMode.choices, default=DeliveryMode.OFF)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="uniq_notification")]
        indexes = [
            models.Index(fields=["user", "in_app", "read_at"], name="notif_user_unread_idx"),
            models.Index(fields=["user", "-id"], name="notif_user_feed_idx"),
            models.Index(fields=["email", "emailed_at"], name="notif_email_idx"),
        ]

    def __str__(self):
        return f"{self.event_id} → {self.user_id}"


class EventRoute(models.Model):
    """Marks an outbox event as routed (notifications and webhook deliveries written).

    Its own table because events are append-only; a sweep routes events that have none
    (a broker that was down when they committed).
    """

    event = models.OneToOneField("core.Event", primary_key=True, on_delete=models.CASCADE, related_name="route")
    routed_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)
    deliveries = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"route of {self.event_id}"
