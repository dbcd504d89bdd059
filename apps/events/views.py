"""Pages of the events app: the inbox, preferences, the Follow button, webhook subscriptions."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.catalog.models import DataProduct, Dataset, Domain
from apps.catalog.permissions import editable_products
from apps.core.errors import ActionError
from apps.core.events import EVENT_TYPES
from apps.events import actions
from apps.events.audience import PRIORITY
from apps.events.cache import follows
from apps.events.context import unread_count
from apps.events.models import DeliveryMode, DeliveryStatus, Notification, Preference, WebhookDelivery

PAGE_SIZE = 50
FOLLOW_MODELS = {"product": (DataProduct, "slug"), "domain": (Domain, "slug"), "dataset": (Dataset, "pk")}


# --- the Follow button (rendered into catalog pages through the core slot) ---------------------


def follow_target_of(obj):
    for kind, (model, key) in FOLLOW_MODELS.items():
        if isinstance(obj, model):
            return kind, getattr(obj, key)
    return None, None


def render_follow_button(request, obj) -> str:
    kind, key = follow_target_of(obj)
    if kind is None or not request.user.is_authenticated:
        return ""
    following = (kind, obj.pk) in follows(request.user.pk)
    return render_to_string(
        "events/follow_button.html", {"kind": kind, "key": key, "following": following, "obj": obj}, request=request
    )


@require_POST
@login_required
def follow_toggle(request, kind, key):
    if kind not in FOLLOW_MODELS:
        return HttpResponseBadRequest("Follow a product, a domain or a dataset.")
    model, field = FOLLOW_MODELS[kind]
    if field == "pk" and not key.isdigit():
        return HttpResponseBadRequest("A dataset is followed by its id.")
    obj = get_object_or_404(model, **{field: key})
    if request.POST.get("follow") == "0":
        actions.unfollow(request.user, obj)
    else:
        actions.follow(request.user, obj)
    if request.htmx:
        return HttpResponse(render_follow_button(request, obj))
    return redirect(obj.get_absolute_url())


# --- inbox -------------------------------------------------------------------------------------


def _pending_access(user):
    from apps.governance.models import AccessRequest, AccessStatus

    return (
        AccessRequest.objects.filter(status=AccessStatus.PENDING, port__product__in=editable_products(user))
        .select_related("port__product", "requester")
        .order_by("created_at")[:100]
    )


@login_required
@require_GET
def inbox(request):
    qs = Notification.objects.filter(user=request.user, in_app=True).select_related("event").order_by("-id")
    kind, reason, unread = request.GET.get("type", ""), request.GET.get("reason", ""), request.GET.get("unread") == "1"
    if kind:
        qs = qs.filter(event__type__startswith=kind[:100])
    if reason in PRIORITY:
        qs = qs.filter(reason_code=reason)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    things = sorted({name.split(".")[1] for name in EVENT_TYPES})
    context = {
        "page": page,
        "filters": {"type": kind, "reason": reason, "unread": unread},
        "type_choices": [f"mesh.{t}." for t in things],
        "reason_choices": PRIORITY,
        "pending": _pending_access(request.user),
    }
    return render(request, "events/inbox.html", context)


@login_required
@require_POST
def inbox_read(request):
    if request.POST.get("all") == "1":
        actions.mark_all_read(request.user)
    else:
        ids = [i for i in request.POST.getlist("id") if i.isdigit()]
        actions.mark_read(request.user, ids, read=request.POST.get("read", "1") == "1")
    if request.htmx:
        response = render(request, "events/bell.html", {"inbox_unread": unread_count(request.user)})
        response["HX-Trigger"] = "inbox-changed"
        return response
    return redirect(request.POST.get("next") or "events:inbox")


@login_required
@require_GET
def bell(request):
    return render(request, "events/bell.html", {"inbox_unread": unread_count(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    errors = []
    if request.method == "POST":
        try:
            actions.set_preference(
                request.user,
                request.POST.get("event_type", ""),
                in_app=request.POST.get("in_app") == "on",
                email=request.POST.get("email", DeliveryMode.OFF),
            )
            return redirect("events:preferences")
        except ActionError as exc:
            errors = exc.as_dicts()
    prefs = {p.event_type: p for p in Preference.objects.filter(user=request.user)}
    rows = [("", "Every event (default)", prefs.get(""))] + [
        (t.name, t.description, prefs.get(t.name)) for t in sorted(EVENT_TYPES.values(), key=lambda t: t.name)
    ]
    return render(
        request,
        "events/preferences.html",
        {"rows": rows, "modes": DeliveryMode.choices, "errors": errors},
        status=422 if errors else 200,
    )


# --- webhooks ----------------------------------------------------------------------------------


def _subscriptions_for(user):
    from apps.events.models import WebhookSubscription

    subs = WebhookSubscription.objects.select_related("product__domain", "domain").order_by("id")
    return [s for s in subs if actions.can_manage_subscription(user, s)]


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request):
    context = {"errors": [], "created": None, "secret": None, "form": {}, "event_types": sorted(EVENT_TYPES.keys())}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in ("url", "product", "domain", "description")}
        context["form"] = form
        try:
            product = DataProduct.objects.filter(slug=form["product"]).first() if form["product"] else None
            domain = Domain.objects.filter(slug=form["domain"]).first() if form["domain"] else None
            if form["product"] and product is None:
                raise ActionError(f"No product '{form['product'][:100]}'.", field="product", code="not_found")
            if form["domain"] and domain is None:
                raise ActionError(f"No domain '{form['domain'][:100]}'.", field="domain", code="not_found")
            sub, secret = actions.create_subscription(
                request.user,
                url=form["url"],
                event_types=request.POST.getlist("event_types"),
                product=product,
                domain=domain,
                description=form["description"],
            )
            context.update(created=sub, secret=secret, form={})
        except ActionError as exc:
            context["errors"] = exc.as_dicts()
    context["subscriptions"] = _subscriptions_for(request.user)
    status = 422 if context["errors"] else (201 if context["created"] else 200)
    return render(request, "events/webhooks.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_detail(request, pk):
    try:
        sub = actions.get_subscription(request.user, pk)
    except ActionError:
        return render(request, "404.html", status=404)
    context = {"sub": sub, "secret": None, "errors": []}
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "rotate":
                context["secret"] = actions.rotate_secret(request.user, sub)
            elif op in ("enable", "disable"):
                actions.set_enabled(request.user, sub, op == "enable")
            elif op == "delete":
                actions.delete_subscription(request.user, sub)
                return redirect("events:webhooks")
            elif op == "redeliver":
                raw = request.POST.get("delivery", "")
                delivery = get_object_or_404(WebhookDelivery, pk=int(raw) if raw.isdigit() else 0, subscription=sub)
                actions.redeliver(request.user, delivery)
            sub.refresh_from_db()
        except ActionError as exc:
            context["errors"] = exc.as_dicts()
    deliveries = sub.deliveries.select_related("event").order_by("-id")
    status = request.GET.get("status", "")
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    context.update(
        deliveries=Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page")),
        dead=sub.deliveries.filter(status=DeliveryStatus.DEAD).count(),
        status_filter=status,
        statuses=DeliveryStatus.choices,
    )
    return render(request, "events/webhook_detail.html", context, status=422 if context["errors"] else 200)
