"""Server-rendered pages: dataset tags, review, conflicts on the product page, finder, forget requests."""

import pytest
from django.urls import reverse

from apps.catalog.testing import make_mesh
from apps.privacy.models import ColumnClassification
from tests.privacy.mini import build_mini

pytestmark = pytest.mark.django_db


@pytest.fixture
def mini():
    mesh = make_mesh()
    return mesh, build_mini(mesh)


def test_dataset_page_shows_column_tags(client, mini, django_assert_max_num_queries):
    mesh, m = mini
    client.force_login(mesh.consumer)
    html = client.get(reverse("catalog:dataset_detail", args=[m.customers.pk])).content.decode()
    assert "pii:email?" in html and "subject:customer_id?" in html
    assert reverse("privacy:dataset", args=[m.customers.pk]) in html


def test_product_page_shows_the_conflict(client, mini):
    mesh, _ = mini
    client.force_login(mesh.consumer)
    html = client.get(reverse("catalog:product_detail", args=["orders"])).content.decode()
    assert "Classification conflict: this product is internal" in html
    assert "suggested, not yet confirmed" in html


def test_review_page_confirm_and_permissions(client, mini):
    mesh, m = mini
    row = ColumnClassification.objects.get(column=m.col(m.customers, "email"), category="email")
    client.force_login(mesh.consumer)
    html = client.get(reverse("privacy:dataset", args=[m.customers.pk])).content.decode()
    assert "Confirm" not in html and "pii:email" in html
    r = client.post(reverse("privacy:decide", args=[row.pk]), {"decision": "confirm"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and "Only the owners" in r.content.decode()
    client.force_login(mesh.owner)
    r = client.post(reverse("privacy:decide", args=[row.pk]), {"decision": "confirm"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'data-state="confirmed"' in r.content.decode()


def test_conflicts_report_finder_and_forget_pages(client, mini):
    mesh, _ = mini
    client.force_login(mesh.consumer)
    html = client.get(reverse("privacy:conflicts")).content.decode()
    assert 'id="product-orders"' in html and "Sales EMEA" in html
    html = client.get(reverse("privacy:finder") + "?type=customer_id&value=5").content.decode()
    assert "DELETE FROM crm.customers WHERE customer_id = %(subject)s" in html
    assert "Unknown subject identifier" in client.get(reverse("privacy:finder") + "?type=zz").content.decode()
    client.force_login(mesh.admin)
    r = client.post(reverse("privacy:forget_list"), {"identifier_type": "customer_id", "reference": "CASE-1"})
    assert r.status_code == 302
    html = client.get(r["Location"]).content.decode()
    assert 'data-product="Orders"' in html and 'data-product="Leads"' in html
    client.force_login(mesh.consumer)
    assert client.get(r["Location"]).status_code == 403


def test_search_finds_columns_by_their_category(mini, django_capture_on_commit_callbacks):
    from apps.search.indexer import rebuild
    from apps.search.service import search

    rebuild()
    result = search("pii:email")
    hits = [(h.type, h.qualified_name) for h in result.results]
    assert ("pii", "shop.crm.customers.email") in hits[:5], hits[:10]
    assert all(h.type == "pii" for h in result.results[:3])


def test_search_page_and_api_show_pii_hits(client, mini):
    from apps.search.indexer import rebuild

    mesh, _ = mini
    rebuild()
    client.force_login(mesh.consumer)
    from django.utils.html import strip_tags

    html = client.get("/search/?q=pii:email").content.decode()
    assert "shop.crm.customers.email" in strip_tags(html)  # the matched word is highlighted in the name
    body = client.get("/api/v1/search/?q=pii:phone").json()
    assert body["results"][0]["qualified_name"] == "shop.crm.customers.phone", body
    assert body["results"][0]["type"] == "pii"
