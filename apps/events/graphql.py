"""GraphQL of events: the feed, your inbox, webhook subscriptions and deliveries; follows,
read marks, preferences and webhook management as mutations (mixins for the root schema).

No type here has a relation resolved per row: events carry their envelope as JSON and
notifications their event through ``select_related``, so a list is one query.
"""

import graphene

from apps.catalog.models import DataProduct, Dataset, Domain
from apps.core.actors import is_admin
from apps.core.errors import NotFoundError
from apps.core.models import Event
from apps.events import actions
from apps.events.describe import summary
from apps.events.models import Notification, WebhookSubscription
from mesh_catalog.graphql.dataloaders import track
from mesh_catalog.graphql.mutations import ActionMutation

MAX_FIRST = 500


class EventType_(graphene.ObjectType):
    """One catalog event (``envelope`` is its CloudEvents 1.0 JSON)."""

    class Meta:
        name = "CatalogEvent"

    sequence = graphene.Int(required=True, description="The feed cursor: pass it as `after`.")
    id = graphene.ID(required=True, description="The CloudEvents id (a UUID).")
    type = graphene.String(required=True)
    subject = graphene.String(required=True)
    time = graphene.DateTime(required=True)
    actor = graphene.String(required=True)
    summary = graphene.String(required=True)
    data = graphene.JSONString(required=True)
    envelope = graphene.JSONString(required=True)

    def resolve_sequence(e, info):
        return e.pk

    def resolve_id(e, info):
        return str(e.uid)

    def resolve_actor(e, info):
        return e.actor_label

    def resolve_summary(e, info):
        return summary(e)

    def resolve_envelope(e, info):
        return e.as_cloudevent()


class NotificationType(graphene.ObjectType):
    """An inbox entry: the event, why you got it, whether you read it."""

    class Meta:
        name = "Notification"

    id = graphene.ID(required=True)
    reason = graphene.String(required=True)
    reason_code = graphene.String(required=True)
    read_at = graphene.DateTime()
    event = graphene.Field(EventType_, required=True)


class WebhookSubscriptionType(graphene.ObjectType):
    """A webhook subscription (never its secret)."""

    class Meta:
        name = "WebhookSubscription"

    id = graphene.ID(required=True)
    url = graphene.String(required=True)
    event_types = graphene.List(graphene.NonNull(graphene.String), required=True)
    enabled = graphene.Boolean(required=True)
    disabled_reason = graphene.String(required=True)
    dead_letters = graphene.Int(required=True)

    def resolve_dead_letters(s, info):
        return getattr(s, "dead_count", None) or s.deliveries.filter(status="dead").count()


class WebhookDeliveryType(graphene.ObjectType):
    class Meta:
        name = "WebhookDelivery"

    id = graphene.ID(required=True)
    webhook_id = graphene.String(required=True)
    status = graphene.String(required=True)
    attempts = graphene.Int(required=True)
    last_status_code = graphene.Int()
    last_error = graphene.String(required=True)
    next_attempt_at = graphene.DateTime()
    delivered_at = graphene.DateTime()
    event_type = graphene.String(required=True)

    def resolve_event_type(d, info):
        return d.event.type


def _first(first) -> int:
    return max(1, min(first or 100, MAX_FIRST))


class EventsQuery(graphene.ObjectType):
    """The event feed, your inbox and the webhooks you manage."""

    events = graphene.List(
        graphene.NonNull(EventType_),
        required=True,
        after=graphene.Int(default_value=0),
        type=graphene.String(description="Exact type, or a prefix ending in '.'."),
        first=graphene.Int(default_value=100),
    )
    inbox = graphene.List(
        graphene.NonNull(NotificationType),
        required=True,
        unread=graphene.Boolean(),
        first=graphene.Int(default_value=50),
    )
    unread_notifications = graphene.Int(required=True)
    webhook_subscriptions = graphene.List(graphene.NonNull(WebhookSubscriptionType), required=True)
    webhook_deliveries = graphene.List(
        graphene.NonNull(WebhookDeliveryType),
        required=True,
        subscription=graphene.ID(required=True),
        status=graphene.String(),
        first=graphene.Int(default_value=100),
    )

    def resolve_events(root, info, after=0, type=None, first=100):
        user = info.context.user
        if not getattr(user, "is_authenticated", False):
            return []
        qs = Event.objects.filter(pk__gt=after or 0).order_by("id")
        if type:
            qs = qs.filter(type__startswith=type) if type.endswith(".") else qs.filter(type=type)
        if not is_admin(user):
            qs = qs.exclude(type__startswith="mesh.access.")
        return track(info.context, qs[: _first(first)])

    def resolve_inbox(root, info, unread=None, first=50):
        user = info.context.user
        if not getattr(user, "is_authenticated", False):
            return []
        qs = Notification.objects.filter(user_id=user.pk, in_app=True).select_related("event").order_by("-id")
        if unread:
            qs = qs.filter(read_at__isnull=True)
        return track(info.context, qs[: _first(first)])

    def resolve_unread_notifications(root, info):
        from apps.events.cache import unread_count

        user = info.context.user
        return unread_count(user.pk) if getattr(user, "is_authenticated", False) else 0

    def resolve_webhook_subscriptions(root, info):
        from django.db.models import Count, Q

        subs = WebhookSubscription.objects.select_related("product__domain", "domain").annotate(
            dead_count=Count("deliveries", filter=Q(deliveries__status="dead"))
        )
        return [s for s in subs.order_by("id") if actions.can_manage_subscription(info.context.user, s)]

    def resolve_webhook_deliveries(root, info, subscription, status=None, first=100):
        if not getattr(info.context.user, "is_authenticated", False) or not str(subscription).isdigit():
            return []
        try:
            sub = actions.get_subscription(info.context.user, int(subscription))
        except NotFoundError:
            return []
        qs = sub.deliveries.select_related("event").order_by("-id")
        if status:
            qs = qs.filter(status=status)
        return list(qs[: _first(first)])


# --- mutations -----------------------------------------------------------------------------------

TARGETS = {"product": (DataProduct, "slug"), "domain": (Domain, "slug"), "dataset": (Dataset, "pk")}


def _target(target: str, key: str):
    if target not in TARGETS:
        raise NotFoundError("Follow a product, a domain or a dataset.", field="target")
    model, field = TARGETS[target]
    obj = model.objects.filter(**{field: key}).first() if field == "slug" or str(key).isdigit() else None
    if obj is None:
        raise NotFoundError(f"No {target} '{key[:100]}'.", field="key")
    return obj


class Follow(ActionMutation):
    """Follow (or with ``follow: false`` unfollow) a product, domain or dataset."""

    class Arguments:
        kind = graphene.String(required=True, description="product | domain | dataset")
        key = graphene.String(required=True, description="Slug, or the dataset id.")
        follow = graphene.Boolean(default_value=True)

    following = graphene.Boolean()

    @classmethod
    def get_target(cls, info, kind, key, **args):
        return _target(kind, key)

    @classmethod
    def perform(cls, info, target, follow=True, **args):
        (actions.follow if follow else actions.unfollow)(info.context.user, target)
        return {"following": follow}


class MarkNotificationsRead(ActionMutation):
    """Mark some (``ids``) or all of your notifications read."""

    class Arguments:
        ids = graphene.List(graphene.NonNull(graphene.ID))
        all = graphene.Boolean(default_value=False)

    marked = graphene.Int()

    @classmethod
    def perform(cls, info, target, ids=None, all=False, **args):
        if all:
            return {"marked": actions.mark_all_read(info.context.user)}
        return {"marked": actions.mark_read(info.context.user, [i for i in (ids or []) if str(i).isdigit()])}


class SetNotificationPreference(ActionMutation):
    """How you hear of one event type (blank: the default): in the inbox, by e-mail."""

    class Arguments:
        event_type = graphene.String(required=True)
        in_app = graphene.Boolean(required=True)
        email = graphene.String(required=True, description="off | instant | daily")

    ok = graphene.Boolean()

    @classmethod
    def perform(cls, info, target, event_type, in_app, email, **args):
        actions.set_preference(info.context.user, event_type, in_app=in_app, email=email)
        return {"ok": True}


class CreateWebhookSubscription(ActionMutation):
    """Subscribe a URL to events (admins: any; owners: their product or domain). ``secret`` is shown once."""

    class Arguments:
        url = graphene.String(required=True)
        event_types = graphene.List(graphene.NonNull(graphene.String))
        product = graphene.String()
        domain = graphene.String()

    subscription = graphene.Field(WebhookSubscriptionType)
    secret = graphene.String()

    @classmethod
    def perform(cls, info, target, url, event_types=None, product=None, domain=None, **args):
        product_row = _target("product", product) if product else None
        domain_row = _target("domain", domain) if domain else None
        sub, secret = actions.create_subscription(
            info.context.user, url=url, event_types=event_types, product=product_row, domain=domain_row
        )
        return {"subscription": sub, "secret": secret}


class RotateWebhookSecret(ActionMutation):
    """A new signing secret (shown once); the previous one keeps signing for 24 hours."""

    class Arguments:
        id = graphene.ID(required=True)

    secret = graphene.String()

    @classmethod
    def get_target(cls, info, id, **args):
        return actions.get_subscription(info.context.user, id if str(id).isdigit() else 0)

    @classmethod
    def perform(cls, info, target, **args):
        return {"secret": actions.rotate_secret(info.context.user, target)}


class EventsMutation(graphene.ObjectType):
    follow = Follow.Field()
    mark_notifications_read = MarkNotificationsRead.Field()
    set_notification_preference = SetNotificationPreference.Field()
    create_webhook_subscription = CreateWebhookSubscription.Field()
    rotate_webhook_secret = RotateWebhookSecret.Field()
