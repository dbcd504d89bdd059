"""The change log: time-stamped, append-only history of every edit to the catalog."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class ChangeAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"


class ObjectChange(models.Model):
    """One recorded change: who (a user or a system actor), when, before and after.

    Rows are never updated or deleted: the history of a product can always be replayed to
    show any past state. ``related_*`` points at the object whose history page lists the
    change (a product for its ports and owners).
    """

    time = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(
        max_length=150, help_text="Username or system actor, kept even if the user is deleted."
    )
    via = models.CharField(
        max_length=50, default="web", help_text="Interface: web, graphql, rest, yaml, harvest, cli, demo."
    )
    action = models.CharField(max_length=10, choices=ChangeAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=300)
    related_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    related_object_id = models.BigIntegerField(null=True, blank=True)
    prechange_data = models.JSONField(null=True, blank=True)
    postchange_data = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-time"], name="core_change_object_idx"),
            models.Index(fields=["related_content_type", "related_object_id", "-time"], name="core_change_related_idx"),
        ]

    def __str__(self):
        return f"{self.actor_label} {self.action} {self.object_repr} at {self.time:%Y-%m-%d %H:%M:%S}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("The change log is append-only: an ObjectChange is never modified.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("The change log is append-only: an ObjectChange is never deleted.")

    @property
    def changed_fields(self) -> dict:
        """{field: (before, after)} for the fields that differ."""
        before, after = self.prechange_data or {}, self.postchange_data or {}
        return {
            k: (before.get(k), after.get(k)) for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)
        }
