"""Owners edit a product in place; everyone else is refused, and every edit lands in history."""

import pytest
from django.urls import reverse

from apps.catalog import actions
from apps.catalog.models import DataProduct, Port
from apps.core.history import history_for
from apps.core.testing import SYSTEM

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def edit_url(section, slug="orders"):
    return reverse("catalog:product_edit", args=[slug, section])


def test_owner_sees_edit_controls_consumer_does_not(client, mesh):
    url = reverse("catalog:product_detail", args=["orders"])
    client.force_login(mesh.owner)
    owner_html = client.get(url).content.decode()
    client.force_login(mesh.consumer)
    consumer_html = client.get(url).content.decode()
    for control in ("Edit details", "Edit description", "Add output port", "Manage owners"):
        assert control in owner_html and control not in consumer_html


def test_domain_owner_may_edit_products_in_sub_domains(client, mesh):
    client.force_login(mesh.domain_owner)
    response = client.post(
        edit_url("details"),
        {
            "revision": mesh.orders.revision,
            "name": "Orders",
            "summary": "By the domain owner",
            "lifecycle": "published",
            "classification": "internal",
            "tags": "sales",
        },
        **HX,
    )
    assert response.status_code == 200
    assert DataProduct.objects.get(slug="orders").summary == "By the domain owner"


def test_owner_saves_details_and_the_change_is_in_history(client, mesh):
    client.force_login(mesh.owner)
    response = client.post(
        edit_url("details"),
        {
            "revision": 1,
            "name": "Orders",
            "summary": "Every order placed",
            "lifecycle": "deprecated",
            "classification": "confidential",
            "tags": "sales, gold",
        },
        **HX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Every order placed" in html and "Deprecated" in html and "gold" in html
    product = DataProduct.objects.get(slug="orders")
    assert product.revision == 2 and sorted(t.slug for t in product.tags.all()) == ["gold", "sales"]
    change = history_for(product).first()
    assert change.actor_label == "olivia" and change.changed_fields["summary"] == ("", "Every order placed")
    history = client.get(reverse("catalog:product_history", args=["orders"])).content.decode()
    assert "Every order placed" in history and "olivia" in history


def test_consumer_forged_posts_are_refused_and_change_nothing(client, mesh):
    client.force_login(mesh.consumer)
    forged = [
        (
            edit_url("details"),
            {"revision": 1, "name": "Hacked", "lifecycle": "retired", "classification": "public", "tags": ""},
        ),
        (edit_url("description"), {"revision": 1, "description": "hacked"}),
        (reverse("catalog:owners_edit", args=["orders"]), {"holder": "casey", "role": "owner"}),
        (reverse("catalog:port_new", args=["orders"]), {"name": "x", "direction": "output", "protocol": "postgres"}),
        (reverse("catalog:port_delete", args=["orders", mesh.orders_port.pk]), {}),
        (
            reverse("catalog:port_edit", args=["orders", mesh.orders_port.pk]),
            {"name": "renamed", "direction": "output", "protocol": "postgres"},
        ),
    ]
    for url, data in forged:
        assert client.post(url, data, **HX).status_code == 403, url
        assert client.get(url).status_code in (403, 405), url
    product = DataProduct.objects.get(slug="orders")
    assert product.name == "Orders" and product.revision == 1 and product.description == ""
    assert (
        Port.objects.filter(product=product).count() == 1
        and Port.objects.get(pk=mesh.orders_port.pk).name == "orders-table"
    )
    assert not product.ownerships.filter(user=mesh.consumer).exists()


def test_anonymous_post_is_refused(client, mesh):
    assert client.post(edit_url("description"), {"revision": 1, "description": "x"}).status_code == 403


def test_stale_revision_gets_a_conflict_showing_what_changed(client, mesh):
    actions.update_product(SYSTEM, mesh.orders, summary="Changed by Dora meanwhile")
    client.force_login(mesh.owner)
    response = client.post(edit_url("description"), {"revision": 1, "description": "My new text"}, **HX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this product" in html and "Changed by Dora meanwhile" in html and "Summary" in html
    assert "My new text" in html  # the editor's text is kept
    assert 'name="revision" value="2"' in html  # saving again is a deliberate overwrite
    assert DataProduct.objects.get(slug="orders").description == ""
    again = client.post(edit_url("description"), {"revision": 2, "description": "My new text"}, **HX)
    assert again.status_code == 200 and DataProduct.objects.get(slug="orders").description == "My new text"


def test_markdown_xss_never_reaches_the_page(client, mesh):
    client.force_login(mesh.owner)
    payload = "# Hi\n\n<script>alert('x')</script>\n\n[click](javascript:alert(1))\n\n<img src=x onerror=alert(1)>\n\n[ok](https://example.com)"
    client.post(edit_url("description"), {"revision": 1, "description": payload}, **HX)
    html = client.get(reverse("catalog:product_detail", args=["orders"])).content.decode()
    body = html.split('id="product-description"', 1)[1].split("</section>", 1)[0]
    assert (
        "<script>alert" not in body
        and 'href="javascript:' not in body.lower()
        and "onerror=" not in body.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    )
    assert '<a href="https://example.com"' in body and "<h3>Hi</h3>" in body
    preview = client.post(reverse("catalog:markdown_preview"), {"description": payload}).content.decode()
    assert "<script>" not in preview and "javascript:" not in preview.split("[click]")[0].lower()


def test_owner_adds_and_removes_an_owner(client, mesh):
    client.force_login(mesh.owner)
    response = client.post(
        reverse("catalog:owners_edit", args=["orders"]), {"holder": "casey", "role": "steward"}, **HX
    )
    assert response.status_code == 200 and "casey" in response.content.decode()
    ownership = mesh.orders.ownerships.get(user=mesh.consumer)
    assert ownership.role == "steward"
    unknown = client.post(reverse("catalog:owners_edit", args=["orders"]), {"holder": "nobody", "role": "owner"}, **HX)
    assert unknown.status_code == 422 and "No user or team called" in unknown.content.decode()
    client.post(reverse("catalog:owner_remove", args=["orders", ownership.pk]), **HX)
    assert not mesh.orders.ownerships.filter(user=mesh.consumer).exists()


def test_owner_adds_a_port_linking_datasets_and_edits_it(client, mesh):
    client.force_login(mesh.owner)
    picker = client.get(reverse("catalog:dataset_picker") + "?q=revenue").content.decode()
    assert f'data-pick-value="{mesh.revenue.pk}"' in picker
    response = client.post(
        reverse("catalog:port_new", args=["orders"]),
        {
            "name": "revenue-view",
            "direction": "output",
            "protocol": "postgres",
            "format": "view",
            "endpoint": "postgres://wh:5432/wh",
            "datasets": [mesh.revenue.pk, mesh.raw.pk],
        },
        **HX,
    )
    # wh.finance.revenue is Leads' (an output port of theirs publishes it): not Orders' to publish.
    assert response.status_code == 422 and "published by Leads" in response.content.decode()
    assert not Port.objects.filter(product=mesh.orders, name="revenue-view").exists()
    response = client.post(
        reverse("catalog:port_new", args=["orders"]),
        {
            "name": "revenue-view",
            "direction": "output",
            "protocol": "postgres",
            "format": "view",
            "endpoint": "postgres://wh:5432/wh",
            "datasets": [mesh.orders_ds.pk, mesh.raw.pk],
        },
        **HX,
    )
    assert response.status_code == 200 and "revenue-view" in response.content.decode()
    port = Port.objects.get(product=mesh.orders, name="revenue-view")
    assert set(port.datasets.values_list("pk", flat=True)) == {mesh.orders_ds.pk, mesh.raw.pk}
    client.post(
        reverse("catalog:port_edit", args=["orders", port.pk]),
        {"name": "revenue-view", "direction": "output", "protocol": "postgres", "datasets": [mesh.raw.pk]},
        **HX,
    )
    assert list(port.datasets.values_list("pk", flat=True)) == [mesh.raw.pk]
    changes = list(history_for(mesh.orders).values_list("content_type__model", "action"))
    assert ("port", "create") in changes and ("port", "update") in changes


def test_input_port_consumes_another_products_output_port(client, mesh):
    client.force_login(mesh.owner)
    picker = client.get(reverse("catalog:port_picker") + "?q=leads&exclude=orders").content.decode()
    assert f'data-pick-value="{mesh.leads_port.pk}"' in picker
    response = client.post(
        reverse("catalog:port_new", args=["orders"]),
        {"name": "leads-in", "direction": "input", "protocol": "postgres", "upstream_port": mesh.leads_port.pk},
        **HX,
    )
    assert response.status_code == 200
    assert Port.objects.get(product=mesh.orders, name="leads-in").upstream_port_id == mesh.leads_port.pk


def test_invalid_port_is_refused_with_the_reason_and_the_form_kept(client, mesh):
    client.force_login(mesh.owner)
    # An output port cannot consume another port: the action says so, the form stays open.
    response = client.post(
        reverse("catalog:port_new", args=["orders"]),
        {"name": "bad", "direction": "output", "protocol": "postgres", "upstream_port": mesh.leads_port.pk},
        **HX,
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#port-editor"
    assert "Only an input port" in response.content.decode() and 'value="bad"' in response.content.decode()
    assert not Port.objects.filter(name="bad").exists()


def test_past_version_and_diff_between_versions(client, mesh):
    client.force_login(mesh.owner)
    client.post(edit_url("description"), {"revision": 1, "description": "First line\nSecond line"}, **HX)
    client.post(edit_url("description"), {"revision": 2, "description": "First line\nSecond line, revised"}, **HX)
    versions = list(
        history_for(mesh.orders).filter(content_type__model="dataproduct").order_by("id").values_list("id", flat=True)
    )
    first = client.get(reverse("catalog:product_version", args=["orders", versions[1]])).content.decode()
    assert "past version" in first and "Second line" in first and "revised" not in first
    diff = client.get(
        reverse("catalog:product_diff", args=["orders"]) + f"?from={versions[1]}&to={versions[2]}"
    ).content.decode()
    assert '<span class="del">-Second line</span>' in diff and '<span class="add">+Second line, revised</span>' in diff
