"""Access requests to output ports and the grants they lead to (the data marketplace)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.models import ChangeLoggedModel


class AccessStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AccessRequest(ChangeLoggedModel):
    """A consumer asks the owners of a product for access to one of its output ports.

    Owners approve or deny with a comment; an approval creates (or renews) the
    ``AccessGrant`` that the query runner checks. At most one pending request per
    (port, requester) so that owners never see the same ask twice.
    """

    port = models.ForeignKey("catalog.Port", on_delete=models.CASCADE, related_name="access_requests")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_requests")
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=AccessStatus.choices, default=AccessStatus.PENDING)
    requested_until = models.DateTimeField(
        null=True, blank=True, help_text="Until when the requester needs access (optional)."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    history_fields = (
        "port",
        "requester",
        "reason",
        "status",
        "requested_until",
        "decided_by",
        "decided_at",
        "decision_comment",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["port", "status"], name="accessreq_port_status_idx"),
            models.Index(fields=["requester", "-created_at"], name="accessreq_requester_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["port", "requester"],
                condition=Q(status="pending"),
                name="uniq_pending_access_request",
                violation_error_message="You already have a pending request for this port.",
            ),
        ]

    def __str__(self):
        return f"{self.requester} → {self.port} ({self.status})"

    def history_parent(self):
        return self.port.product


class AccessGrant(ChangeLoggedModel):
    """Permission for one user to query one output port, until ``expires_at`` (or forever).

    The catalog records the decision; provisioning database privileges is out of scope.
    One row per (port, user): a renewed approval updates it, a revocation stamps it.
    """

    port = models.ForeignKey("catalog.Port", on_delete=models.CASCADE, related_name="access_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_grants")
    request = models.ForeignKey(AccessRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="grants")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    history_fields = ("port", "user", "request", "granted_by", "expires_at", "revoked_at")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["port", "user"], name="uniq_access_grant")]

    def __str__(self):
        return f"{self.user} ⇒ {self.port}"

    def history_parent(self):
        return self.port.product

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
