"""Writes of right-to-be-forgotten cases: open a request, settle each product's task.

Opening a request runs the finder once and freezes its answer into one task per owning
product (plus one for datasets no product claims), emits ``mesh.privacy.forget_requested``
per product so that its owners are told (the events app routes it), and records history.
"""

from django.db import transaction
from django.utils import timezone

from apps.catalog.models import DataProduct
from apps.catalog.permissions import can_edit_product
from apps.core.actors import is_admin
from apps.core.errors import ActionError, PermissionDeniedError
from apps.core.events import emit
from apps.core.writes import require, save_logged
from apps.privacy.finder import find
from apps.privacy.models import ForgetRequest, ForgetTask

UNOWNED = "(no product)"


def can_open_requests(user) -> bool:
    """Privacy officers are admins or holders of the ``privacy.add_forgetrequest`` permission."""
    return is_admin(user) or bool(
        getattr(user, "is_authenticated", False) and user.has_perm("privacy.add_forgetrequest")
    )


def can_see_request(user, request: ForgetRequest) -> bool:
    if can_open_requests(user):
        return True
    return any(t.product is not None and can_edit_product(user, t.product) for t in request.tasks.all())


def open_request(actor, *, identifier_type: str, reference: str, note: str = "", via: str = "web") -> ForgetRequest:
    require(can_open_requests(actor), "Only privacy officers (admins) open forget requests.")
    reference = (reference or "").strip()
    if not reference:
        raise ActionError("Give the request's ticket or case number.", field="reference", code="required")
    if len(reference) > 200 or len(note or "") > 5000:
        raise ActionError("Reference (200) or note (5,000 characters) is too long.", field="reference", code="too_long")
    found = find(identifier_type)  # validates the identifier type
    with transaction.atomic():
        request = ForgetRequest(
            identifier_type=identifier_type,
            reference=reference,
            note=(note or "").strip(),
            requested_by=actor if getattr(actor, "pk", None) else None,
        )
        save_logged(actor, request, via=via)
        by_product: dict = {}
        for entry in found["datasets"]:
            owners = [p for p in entry["products"] if p["publishes"]] or entry["products"]
            for product in owners or [None]:
                key = product["id"] if product else None
                by_product.setdefault(key, {"product": product, "datasets": []})["datasets"].append(
                    {k: entry[k] for k in ("dataset", "columns", "personal_columns", "retention", "queries", "server")}
                )
        products = DataProduct.objects.in_bulk([k for k in by_product if k is not None])
        tasks = []
        for key, group in sorted(
            by_product.items(), key=lambda kv: (kv[0] is None, (kv[1]["product"] or {}).get("name", ""))
        ):
            product = products.get(key) if key is not None else None
            task = ForgetTask(
                request=request,
                product=product,
                product_name=product.name if product else UNOWNED,
                datasets=group["datasets"],
            )
            save_logged(actor, task, via=via)
            tasks.append(task)
            if product is not None:
                emit(
                    "mesh.privacy.forget_requested",
                    subject=f"forget-request:{request.pk}",
                    data={
                        "request": request.pk,
                        "reference": reference,
                        "identifier_type": identifier_type,
                        "task": task.pk,
                        "datasets": [d["dataset"]["name"] for d in group["datasets"]][:50],
                    },
                    actor=actor,
                    domain=group["product"]["domain"] or "",
                    product=product.slug,
                )
    return request


def settle_task(actor, task: ForgetTask, *, status: str, comment: str = "", via: str = "web") -> ForgetTask:
    """An owner marks their product's part done or not applicable (with a comment)."""
    if status not in ForgetTask.Status.values:
        raise ActionError("Status is open, done or not_applicable.", field="status", code="invalid_choice")
    comment = (comment or "").strip()
    if len(comment) > 5000:
        raise ActionError("The comment is too long (5,000 characters at most).", field="comment", code="too_long")
    if status == ForgetTask.Status.NOT_APPLICABLE and not comment:
        raise ActionError("Say why this does not apply.", field="comment", code="required")
    allowed = can_open_requests(actor) or (task.product is not None and can_edit_product(actor, task.product))
    if not allowed:
        raise PermissionDeniedError("Only the product's owners settle its task.")
    with transaction.atomic():
        task = ForgetTask.objects.select_for_update(of=("self",)).select_related("request", "product").get(pk=task.pk)
        if task.request.status == ForgetRequest.Status.CLOSED:
            raise ActionError("This request is closed.", field="status", code="closed")
        before = task.history_snapshot()
        task.status, task.comment = status, comment
        task.done_by = actor if getattr(actor, "pk", None) and status != ForgetTask.Status.OPEN else None
        save_logged(actor, task, via=via, before=before)
        request = task.request
        if not request.tasks.filter(status=ForgetTask.Status.OPEN).exists():
            before = request.history_snapshot()
            request.status, request.closed_at = ForgetRequest.Status.CLOSED, timezone.now()
            save_logged(actor, request, via=via, before=before)
    return task
