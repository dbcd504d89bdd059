"""The outbox: catalog events written in the same transaction as the change they describe."""

import uuid

from django.conf import settings
from django.db import models


class Event(models.Model):
    """One thing that happened, as a CloudEvents 1.0 envelope (``as_cloudevent()``).

    Written by ``apps.core.events.emit()`` inside the writer's transaction, so a rolled-back
    write leaves no event. Rows are append-only: routing and delivery (``apps.events``)
    record their progress on their own tables, never here. ``id`` orders the feed and is the
    cursor of ``?after=``; ``uid`` is the CloudEvents ``id`` receivers de-duplicate on.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=100, db_index=True, help_text="mesh.<thing>.<happened>")
    version = models.PositiveSmallIntegerField(default=1, help_text="Version of the data shape of this type.")
    time = models.DateTimeField(auto_now_add=True, db_index=True)
    subject = models.CharField(max_length=300, help_text="What it is about, e.g. product/orders.")
    data = models.JSONField(default=dict)
    actor_label = models.CharField(max_length=150, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Denormalised scope so feeds and subscriptions filter without joins or JSON lookups.
    domain_slug = models.CharField(max_length=100, blank=True, db_index=True)
    product_slug = models.CharField(max_length=100, blank=True, db_index=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["type", "id"], name="core_event_type_idx")]

    def __str__(self):
        return f"{self.type} {self.subject}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("The outbox is append-only: an Event is never modified.")
        super().save(*args, **kwargs)

    def as_cloudevent(self) -> dict:
        """The stable wire shape (CloudEvents 1.0, structured JSON mode)."""
        return {
            "specversion": "1.0",
            "id": str(self.uid),
            "source": getattr(settings, "MESH_EVENT_SOURCE", "/mesh-catalog"),
            "type": self.type,
            "time": self.time.isoformat().replace("+00:00", "Z"),
            "subject": self.subject,
            "datacontenttype": "application/json",
            "dataschema": f"urn:mesh-catalog:event:{self.type}:v{self.version}",
            "data": self.data,
        }
