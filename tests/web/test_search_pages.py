"""The search page: ranked hits, facet counts that filter through htmx, shareable URLs."""

import pytest
from django.urls import reverse

from apps.search.indexer import rebuild

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client, mesh):
    rebuild()
    client.force_login(mesh.consumer)
    return client


def test_search_page_ranks_hits_with_type_icons_and_facets(reader, mesh):
    html = reader.get(reverse("search:search") + "?q=orders").content.decode()
    assert "Orders" in html and "wh.sales.orders" in html
    assert 'class="type-icon type-product"' in html and 'class="type-icon type-dataset"' in html
    assert 'data-facet="type" data-value="product"' in html and 'data-facet="type" data-value="dataset"' in html
    assert "<mark>" in html.lower()


def test_facet_links_keep_the_query_and_filter_without_a_full_page(reader, mesh):
    html = reader.get(reverse("search:search") + "?q=orders").content.decode()
    assert 'href="/search/?q=orders&amp;type=product"' in html and 'hx-push-url="true"' in html
    fragment = reader.get(reverse("search:search") + "?q=orders&type=product", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="search-results"' in fragment
    assert "wh.sales.orders" not in fragment and "Orders" in fragment
    assert 'aria-current="true"' in fragment  # the active facet is marked
    assert 'href="/search/?q=orders"' in fragment  # …and clicking it again removes the filter


def test_suggestions_while_typing(reader, mesh):
    html = reader.get(reverse("search:search_suggest") + "?q=ord", HTTP_HX_REQUEST="true").content.decode()
    assert "/products/orders/" in html and "All results for" in html
    assert reader.get(reverse("search:search_suggest") + "?q=o").content.decode().strip() == ""


def test_highlights_cannot_inject_markup(reader, mesh):
    from apps.core.templatetags.mesh_markdown import highlight_filter

    assert (
        str(highlight_filter("<mark>ord</mark>ers<script>alert(1)</script><img src=x onerror=alert(1)>"))
        == "<mark>ord</mark>ers"
    )
