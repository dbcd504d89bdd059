"""Recording changes in the change log; the only writer of ``ObjectChange``."""

from django.contrib.contenttypes.models import ContentType

from apps.core.actors import actor_label
from apps.core.models import ChangeAction, ObjectChange


def record_change(
    actor, obj, action: str, *, before: dict | None = None, after: dict | None = None, via: str = "web"
) -> ObjectChange | None:
    """Append one change. An update whose before and after are equal records nothing."""
    if action == ChangeAction.UPDATE and before == after:
        return None
    parent = obj.history_parent() if hasattr(obj, "history_parent") else None
    user = actor if getattr(actor, "pk", None) and not getattr(actor, "is_system", False) else None
    return ObjectChange.objects.create(
        user=user,
        actor_label=actor_label(actor),
        via=via,
        action=action,
        content_type=ContentType.objects.get_for_model(obj.__class__),
        object_id=obj.pk,
        object_repr=str(obj)[:300],
        related_content_type=ContentType.objects.get_for_model(parent.__class__) if parent is not None else None,
        related_object_id=parent.pk if parent is not None else None,
        prechange_data=before,
        postchange_data=after,
    )


def history_for(obj):
    """Changes of ``obj`` itself and of the objects whose history parent it is, newest first."""
    from django.db.models import Q

    ct = ContentType.objects.get_for_model(obj.__class__)
    return ObjectChange.objects.filter(
        Q(content_type=ct, object_id=obj.pk) | Q(related_content_type=ct, related_object_id=obj.pk)
    ).select_related("content_type", "user")


def state_at(obj, change_id: int) -> dict | None:
    """The recorded state of ``obj`` right after the change ``change_id`` (None if it did not exist)."""
    ct = ContentType.objects.get_for_model(obj.__class__)
    change = ObjectChange.objects.filter(content_type=ct, object_id=obj.pk, id__lte=change_id).order_by("-id").first()
    return change.postchange_data if change else None
