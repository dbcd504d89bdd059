"""In-place editors of the product page (htmx): details, description, owners.

Every save goes through ``apps.catalog.actions``; the forms carry the revision the editor
loaded so that a concurrent save is refused with what changed. Non-owners never see the
controls, and a forged request is refused here (403) before any action runs — the action
would refuse it anyway.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.catalog import actions
from apps.catalog.forms import DescriptionForm, OwnerForm, ProductDetailsForm
from apps.catalog.models import DataProduct, Ownership
from apps.catalog.permissions import can_edit_product
from apps.catalog.views.common import (
    action_error_context,
    deny_unless,
    login_required_403,
    raise_if_permission,
    render_partial_or_page,
)
from apps.catalog.views.products import product_context, product_queryset
from apps.core.errors import ActionError, ConflictError
from apps.core.markdown import render_markdown

SECTIONS = {
    "details": (ProductDetailsForm, "catalog/partials/product_details.html"),
    "description": (DescriptionForm, "catalog/partials/product_description.html"),
}
FIELD_LABELS = {
    "name": "Name",
    "summary": "Summary",
    "description": "Description",
    "lifecycle": "Lifecycle",
    "classification": "Classification",
    "tags": "Tags",
    "domain": "Domain",
    "cost_per_month": "Cost per month",
    "cost_currency": "Currency",
    "slug": "Slug",
}


def _editable_product(request, slug) -> DataProduct:
    product = get_object_or_404(product_queryset(), slug=slug)
    deny_unless(
        can_edit_product(request.user, product), "Only the owners of this product (or of its domain) may edit it."
    )
    return product


def _initial(product, section) -> dict:
    if section == "details":
        return {
            "revision": product.revision,
            "name": product.name,
            "summary": product.summary,
            "lifecycle": product.lifecycle,
            "classification": product.classification,
            "tags": ", ".join(t.slug for t in product.tags.all()),
        }
    return {"revision": product.revision, "description": product.description}


def _block(request, product, section, status=200):
    """The read-only block after a save or a cancel: the fragment for htmx, else the page."""
    if not request.htmx:
        return redirect(product.get_absolute_url() + f"#{section}")
    context = product_context(request, product)
    return render(request, SECTIONS[section][1], context, status=status)


@login_required_403
def product_edit(request, slug, section):
    if section not in SECTIONS:
        raise PermissionDenied("Unknown section.")
    product = _editable_product(request, slug)
    form_class = SECTIONS[section][0]
    context = {"product": product, "section": section}
    if request.method == "GET":
        if request.GET.get("cancel"):
            return _block(request, product, section)
        context["form"] = form_class(initial=_initial(product, section))
        return render_partial_or_page(
            request, f"catalog/forms/product_{section}_form.html", "catalog/product_edit_page.html", context
        )
    form = form_class(request.POST)
    context["form"] = form
    if form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "revision"}
        try:
            product = actions.update_product(
                request.user, product, expected_revision=form.cleaned_data["revision"], **fields
            )
            return _block(request, get_object_or_404(product_queryset(), pk=product.pk), section)
        except ConflictError as exc:
            current = DataProduct.objects.only("revision").get(pk=product.pk)
            # Let the editor save again deliberately, on top of the other person's changes.
            form.data = form.data.copy()
            form.data["revision"] = current.revision
            context["conflict"] = {
                "message": exc.message,
                "changes": [(FIELD_LABELS.get(f, f), before, after) for f, (before, after) in exc.changes.items()],
            }
        except ActionError as exc:
            raise_if_permission(exc)
            context["action_errors"] = action_error_context(exc)
    return render_partial_or_page(
        request,
        f"catalog/forms/product_{section}_form.html",
        "catalog/product_edit_page.html",
        context,
        status=409 if "conflict" in context else 422,
    )


@login_required
@require_POST
def markdown_preview(request):
    """Render what the editor typed exactly as the page will (sanitized), without saving."""
    html = render_markdown(request.POST.get("description", ""))
    return HttpResponse(html or '<p class="muted">Nothing to preview yet.</p>')


# --- owners -----------------------------------------------------------------------------


def _owners_block(request, product, *, form=None, errors=None, status=200):
    if not request.htmx:
        return redirect(product.get_absolute_url() + "#owners")
    context = product_context(request, product)
    context.update(owner_form=form, owner_errors=errors, editing_owners=True)
    return render(request, "catalog/partials/product_owners.html", context, status=status)


@login_required_403
def owners_edit(request, slug):
    product = _editable_product(request, slug)
    if request.method == "GET":
        if request.GET.get("cancel"):
            context = product_context(request, product)
            return render(request, "catalog/partials/product_owners.html", context)
        return _owners_block(request, product, form=OwnerForm())
    form = OwnerForm(request.POST)
    if form.is_valid():
        try:
            actions.add_owner(
                request.user,
                product,
                user=form.cleaned_data["user"],
                team=form.cleaned_data["team"],
                role=form.cleaned_data["role"],
            )
            return _owners_block(request, product, form=OwnerForm())
        except ActionError as exc:
            raise_if_permission(exc)
            return _owners_block(request, product, form=form, errors=action_error_context(exc), status=422)
    return _owners_block(request, product, form=form, status=422)


@login_required_403
@require_POST
def owner_remove(request, slug, ownership_id):
    product = _editable_product(request, slug)
    ownership = get_object_or_404(Ownership, pk=ownership_id, product=product)
    try:
        actions.remove_owner(request.user, ownership)
    except ActionError as exc:
        raise_if_permission(exc)
        return _owners_block(request, product, form=OwnerForm(), errors=action_error_context(exc), status=422)
    return _owners_block(request, product, form=OwnerForm())
