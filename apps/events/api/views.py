"""REST API of the events app under ``/api/v1/``: the event feed, the inbox, follows,
preferences, webhook subscriptions and their deliveries.

The feed is cursor-paginated by event id (``?after=<id>``): a consumer that polls instead
of receiving webhooks never misses or repeats an event.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.models import DataProduct, Dataset, Domain
from apps.core.actors import is_admin
from apps.core.errors import NotFoundError
from apps.core.models import Event
from apps.events import actions
from apps.events.api.serializers import (
    DeliverySerializer,
    NotificationSerializer,
    SubscriptionInput,
    SubscriptionSerializer,
)
from apps.events.models import DeliveryStatus, Follow, Notification, Preference, WebhookAttempt, WebhookSubscription
from mesh_catalog.api.pagination import MeshPagination

FEED_LIMIT, MAX_FEED_LIMIT = 100, 500
PRIVATE_TYPES = ("mesh.access.",)  # requesters' reasons: owners read them in their inbox, not in the feed


def paginated(name: str, item) -> serializers.Serializer:
    """The OpenAPI shape of a ``MeshPagination`` page of ``item``."""
    return inline_serializer(
        name,
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item,
        },
    )


FOLLOW_BODY = inline_serializer("FollowTarget", {"target": serializers.CharField(), "key": serializers.CharField()})
FOLLOW_LIST = inline_serializer(
    "FollowList",
    {
        "follows": inline_serializer(
            "Followed",
            {
                "target": serializers.CharField(),
                "key": serializers.CharField(),
                "created_at": serializers.DateTimeField(),
            },
            many=True,
        )
    },
)


class PreferenceSerializer(serializers.Serializer):
    """How you hear of one event type (blank: every type without its own preference)."""

    event_type = serializers.CharField(allow_blank=True)
    in_app = serializers.BooleanField()
    email = serializers.CharField(help_text="off | instant | daily")


class SubscriptionCreatedSerializer(SubscriptionSerializer):
    """The new subscription with its secret: shown in this answer only."""

    secret = serializers.CharField()

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]


PREFERENCE = PreferenceSerializer
SECRET = inline_serializer("WebhookSecret", {"secret": serializers.CharField()})


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationError({"detail": ["Send a JSON object."]})
    return request.data


class PersonalView(APIView):
    """Endpoints about the caller (inbox, follows, preferences, webhooks): a login is required."""

    permission_classes = [IsAuthenticated]


def _int_param(request, name: str, default: int | None = None, maximum: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit() or len(raw) > 18:
        raise ValidationError({name: [f"{name} must be a non-negative integer."]})
    value = int(raw)
    return min(value, maximum) if maximum else value


class EventFeedView(APIView):
    """``GET /api/v1/events/?after=<id>&type=<type>&product=<slug>&domain=<slug>&limit=N``."""

    @extend_schema(
        parameters=[
            OpenApiParameter("after", int, description="Return events with an id greater than this (the cursor)."),
            OpenApiParameter("type", str, description="Exact type, or a prefix ending in '.' (mesh.product.)."),
            OpenApiParameter("product", str),
            OpenApiParameter("domain", str),
            OpenApiParameter("limit", int, description=f"At most {MAX_FEED_LIMIT} (default {FEED_LIMIT})."),
        ],
        responses=inline_serializer(
            "EventFeed",
            {"events": serializers.ListField(child=serializers.DictField()), "next_after": serializers.IntegerField()},
        ),
    )
    def get(self, request):
        after = _int_param(request, "after", 0)
        limit = _int_param(request, "limit", FEED_LIMIT, MAX_FEED_LIMIT) or FEED_LIMIT
        qs = Event.objects.filter(pk__gt=after).order_by("id")
        etype = request.query_params.get("type", "")[:100]
        if etype:
            qs = qs.filter(type__startswith=etype) if etype.endswith(".") else qs.filter(type=etype)
        for param, field in (("product", "product_slug"), ("domain", "domain_slug")):
            if request.query_params.get(param):
                qs = qs.filter(**{field: request.query_params[param][:100]})
        if not is_admin(request.user):
            for prefix in PRIVATE_TYPES:
                qs = qs.exclude(type__startswith=prefix)
        rows = list(qs[:limit])
        events = [{**e.as_cloudevent(), "sequence": e.pk} for e in rows]
        return Response({"events": events, "next_after": rows[-1].pk if rows else after})


class InboxView(PersonalView):
    """``GET /api/v1/inbox/?unread=1&type=<prefix>``: your notifications, newest first."""

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool), OpenApiParameter("type", str), OpenApiParameter("page", int)],
        responses=paginated("NotificationPage", NotificationSerializer(many=True)),
    )
    def get(self, request):
        qs = Notification.objects.filter(user=request.user, in_app=True).select_related("event").order_by("-id")
        if request.query_params.get("unread") in ("1", "true"):
            qs = qs.filter(read_at__isnull=True)
        if request.query_params.get("type"):
            qs = qs.filter(event__type__startswith=request.query_params["type"][:100])
        paginator = MeshPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(NotificationSerializer(page, many=True).data)


class InboxReadView(PersonalView):
    """``POST /api/v1/inbox/read/`` with ``{"ids": [...]}`` or ``{"all": true}``."""

    @extend_schema(
        request=inline_serializer(
            "InboxRead",
            {"ids": serializers.ListField(child=serializers.IntegerField()), "all": serializers.BooleanField()},
        ),
        responses=inline_serializer("InboxReadResult", {"marked": serializers.IntegerField()}),
    )
    def post(self, request):
        data = _body(request)
        if data.get("all") is True:
            return Response({"marked": actions.mark_all_read(request.user)})
        ids = data.get("ids")
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids) or len(ids) > 1000:
            raise ValidationError({"ids": ["Give up to 1000 notification ids, or all: true."]})
        return Response({"marked": actions.mark_read(request.user, ids)})


FOLLOW_LOOKUP = {"product": (DataProduct, "slug"), "domain": (Domain, "slug"), "dataset": (Dataset, "pk")}


def _follow_target(data):
    kind, key = data.get("target"), data.get("key")
    if kind not in FOLLOW_LOOKUP or key in (None, ""):
        raise ValidationError({"target": ["Give target (product, domain or dataset) and key (slug, or dataset id)."]})
    model, field = FOLLOW_LOOKUP[kind]
    obj = model.objects.filter(**{field: str(key)[:100]}).first() if field == "slug" or str(key).isdigit() else None
    if obj is None:
        raise NotFoundError(f"No {kind} '{str(key)[:100]}'.", field="key")
    return obj


class FollowsView(PersonalView):
    """``GET`` your follows; ``POST {"target": "product", "key": "orders"}``; ``DELETE`` the same body."""

    @extend_schema(responses=FOLLOW_LIST)
    def get(self, request):
        rows = Follow.objects.filter(user=request.user).values(
            "target", "product__slug", "domain__slug", "dataset_id", "created_at"
        )
        return Response(
            {
                "follows": [
                    {
                        "target": r["target"],
                        "key": r["product__slug"] or r["domain__slug"] or r["dataset_id"],
                        "created_at": r["created_at"],
                    }
                    for r in rows
                ]
            }
        )

    @extend_schema(request=FOLLOW_BODY, responses={201: None})
    def post(self, request):
        actions.follow(request.user, _follow_target(_body(request)))
        return Response(status=status.HTTP_201_CREATED)

    @extend_schema(request=FOLLOW_BODY, responses={204: None})
    def delete(self, request):
        actions.unfollow(request.user, _follow_target(_body(request)))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PreferencesView(PersonalView):
    """``GET`` your preferences; ``PUT {"event_type": "mesh.product.updated", "in_app": true, "email": "daily"}``."""

    @extend_schema(
        responses=inline_serializer("NotificationPreferences", {"preferences": PreferenceSerializer(many=True)})
    )
    def get(self, request):
        rows = Preference.objects.filter(user=request.user).values("event_type", "in_app", "email")
        return Response({"preferences": list(rows)})

    @extend_schema(request=PREFERENCE, responses=PREFERENCE)
    def put(self, request):
        data = _body(request)
        if not isinstance(data.get("in_app", True), bool) or not isinstance(data.get("event_type", ""), str):
            raise ValidationError({"in_app": ["in_app is true or false; event_type a string."]})
        pref = actions.set_preference(
            request.user,
            data.get("event_type", ""),
            in_app=data.get("in_app", True),
            email=str(data.get("email", "off")),
        )
        return Response({"event_type": pref.event_type, "in_app": pref.in_app, "email": pref.email})


class WebhookListView(PersonalView):
    """``GET`` the subscriptions you manage; ``POST`` a new one (its secret is in this answer only)."""

    @extend_schema(
        operation_id="v1_webhooks_list",
        responses=inline_serializer("WebhookSubscriptionList", {"results": SubscriptionSerializer(many=True)}),
    )
    def get(self, request):
        subs = [
            s
            for s in WebhookSubscription.objects.select_related("product__domain", "domain").order_by("id")
            if actions.can_manage_subscription(request.user, s)
        ]
        return Response({"results": SubscriptionSerializer(subs, many=True).data})

    @extend_schema(
        request=SubscriptionInput,
        responses={201: SubscriptionCreatedSerializer},
    )
    def post(self, request):
        body = SubscriptionInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        product = domain = None
        if data.get("product"):
            product = DataProduct.objects.select_related("domain").filter(slug=data["product"]).first()
            if product is None:
                raise NotFoundError(f"No product '{data['product']}'.", field="product")
        if data.get("domain"):
            domain = Domain.objects.filter(slug=data["domain"]).first()
            if domain is None:
                raise NotFoundError(f"No domain '{data['domain']}'.", field="domain")
        sub, secret = actions.create_subscription(
            request.user,
            url=data["url"],
            event_types=data.get("event_types"),
            product=product,
            domain=domain,
            description=data.get("description", ""),
        )
        return Response({**SubscriptionSerializer(sub).data, "secret": secret}, status=status.HTTP_201_CREATED)


class WebhookDetailView(PersonalView):
    """``GET`` / ``DELETE`` one subscription; ``PATCH {"enabled": bool}``."""

    @extend_schema(responses=SubscriptionSerializer)
    def get(self, request, pk):
        return Response(SubscriptionSerializer(actions.get_subscription(request.user, pk)).data)

    @extend_schema(
        request=inline_serializer("WebhookEnabled", {"enabled": serializers.BooleanField()}),
        responses=SubscriptionSerializer,
    )
    def patch(self, request, pk):
        sub = actions.get_subscription(request.user, pk)
        if not isinstance(_body(request).get("enabled"), bool):
            raise ValidationError({"enabled": ["Give enabled: true or false."]})
        return Response(SubscriptionSerializer(actions.set_enabled(request.user, sub, request.data["enabled"])).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        actions.delete_subscription(request.user, actions.get_subscription(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookRotateView(PersonalView):
    """``POST /api/v1/webhooks/<id>/rotate-secret/``: a new secret (shown once); the old one signs for 24 h more."""

    @extend_schema(request=None, responses=SECRET)
    def post(self, request, pk):
        secret = actions.rotate_secret(request.user, actions.get_subscription(request.user, pk))
        return Response({"secret": secret})


class WebhookDeliveriesView(PersonalView):
    """``GET /api/v1/webhooks/<id>/deliveries/?status=dead``: the delivery log, newest first."""

    @extend_schema(
        parameters=[OpenApiParameter("status", str), OpenApiParameter("page", int)],
        responses=paginated("WebhookDeliveryPage", DeliverySerializer(many=True)),
    )
    def get(self, request, pk):
        sub = actions.get_subscription(request.user, pk)
        qs = (
            sub.deliveries.select_related("event")
            .prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("id")))
            .order_by("-id")
        )
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in DeliveryStatus.values:
                raise ValidationError({"status": [f"status is one of {', '.join(DeliveryStatus.values)}."]})
            qs = qs.filter(status=wanted)
        paginator = MeshPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(DeliverySerializer(page, many=True).data)


class WebhookRedeliverView(PersonalView):
    """``POST /api/v1/webhooks/<id>/deliveries/<delivery_id>/redeliver/``: send again, same webhook-id."""

    @extend_schema(request=None, responses={202: DeliverySerializer})
    def post(self, request, pk, delivery_id):
        sub = actions.get_subscription(request.user, pk)
        delivery = sub.deliveries.filter(pk=delivery_id).first()
        if delivery is None:
            raise NotFoundError(f"No delivery {delivery_id} on this subscription.")
        delivery = actions.redeliver(request.user, delivery)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
