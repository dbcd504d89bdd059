"""Ranking rules beyond the judged set: kinds, lifecycles, popularity, matched words, facets."""

import pytest

from apps.catalog import actions
from apps.catalog.models import DataProduct, Domain
from apps.core.testing import SYSTEM
from apps.search.service import bump_popularity, search

pytestmark = pytest.mark.django_db


def names(result):
    return [(h.type, h.name) for h in result.results]


def make_products(django_capture_on_commit_callbacks, *specs):
    with django_capture_on_commit_callbacks(execute=True):
        domain = Domain.objects.first() or actions.create_domain(SYSTEM, slug="ops", name="Ops")
        return [
            actions.create_product(SYSTEM, domain=domain, slug=slug, name=name, lifecycle=lifecycle, summary=summary)
            for slug, name, lifecycle, summary in specs
        ]


def test_a_product_ranks_above_the_dataset_behind_it(demo_mesh):
    hits = names(search("payments"))
    assert hits.index(("product", "Payments")) < hits.index(("dataset", "mesh_demo_warehouse.raw.payments"))


def test_published_ranks_above_draft_and_deprecated_sinks_but_stays_findable(db, django_capture_on_commit_callbacks):
    make_products(
        django_capture_on_commit_callbacks,
        ("pipeline-old", "Pipeline Old", "deprecated", "Bookings pipeline"),
        ("pipeline-draft", "Pipeline Draft", "draft", "Bookings pipeline"),
        ("pipeline-live", "Pipeline Live", "published", "Bookings pipeline"),
        ("pipeline-gone", "Pipeline Gone", "retired", "Bookings pipeline"),
    )
    hits = [name for _, name in names(search("pipeline"))]
    assert hits == ["Pipeline Live", "Pipeline Draft", "Pipeline Old", "Pipeline Gone"]
    assert names(search("pipeline gone"))[0] == ("product", "Pipeline Gone")


def test_more_matched_words_rank_higher_and_not_every_word_must_match(db, django_capture_on_commit_callbacks):
    make_products(
        django_capture_on_commit_callbacks,
        ("churn", "Churn", "published", "Customers who left"),
        ("churn-forecast", "Churn Forecast", "published", "Predicted churn by region"),
    )
    result = search("churn forecast region")
    assert names(result)[:2] == [("product", "Churn Forecast"), ("product", "Churn")]
    assert search("churn zzzunknownword").count == 2


def test_popularity_breaks_ties_but_never_beats_a_better_match(db, django_capture_on_commit_callbacks):
    make_products(
        django_capture_on_commit_callbacks,
        ("stock-a", "Stock Alpha", "published", "x"),
        ("stock-b", "Stock Omega", "published", "x"),
        ("stock-levels", "Stock Levels", "published", "x"),
        ("stockpile", "Stockpile Report Levels", "published", "x"),
    )
    first = names(search("stock"))
    bump_popularity("product", DataProduct.objects.get(slug="stock-b").pk, 10_000)
    bumped = names(search("stock"))
    assert first.index(("product", "Stock Alpha")) < first.index(("product", "Stock Omega"))  # a tie: by id
    assert bumped.index(("product", "Stock Omega")) < bumped.index(("product", "Stock Alpha"))
    # "stock levels" matches Stock Levels exactly: no amount of popularity lifts the others above it.
    bump_popularity("product", DataProduct.objects.get(slug="stockpile").pk, 10**9)
    assert names(search("stock levels"))[0] == ("product", "Stock Levels")


def test_popularity_survives_a_rebuild(demo_mesh):
    from apps.search.indexer import rebuild
    from apps.search.models import SearchEntry

    product = DataProduct.objects.get(slug="invoices")
    bump_popularity("product", product.pk, 5)
    rebuild()
    assert SearchEntry.objects.get(kind="product", object_id=product.pk).popularity == 5


def test_facets_count_everything_matched_and_filters_combine_with_words(demo_mesh):
    result = search("customer")
    assert result.count == sum(result.facets["type"].values())
    assert result.facets["type"]["product"] == 3
    assert result.facets["domain"]["marketing"] >= 1
    assert result.facets["tag"]["customers"] >= 3
    filtered = search("customer", filters={"type": ["product"], "domain": ["marketing"]})
    assert names(filtered) == [("product", "Customer Segments")]
    assert filtered.facets["type"] == {"product": 1}
    by_owner = search("customer", filters={"owner": ["olivia"], "type": ["product"]})
    assert names(by_owner) == [("product", "Customer Lifetime Value")]
    by_tag = search("", filters={"tag": ["gold"], "type": ["product"]})
    assert sorted(n for _, n in names(by_tag)) == ["Daily Revenue", "Orders"]
    assert (
        search("customer", filters={"classification": ["restricted"], "type": ["product"]}).results[0].name
        == "Customer Master"
    )
    assert search("email", filters={"lifecycle": ["deprecated"]}).results[0].name == "Email Engagement"
    on_kafka = search("shipment", filters={"platform": ["kafka"]})
    assert {h.extra["platform"] for h in on_kafka.results} == {"kafka"}
    assert ("dataset", "shipments.events.v1") in names(on_kafka)


def test_highlights_mark_where_it_matched_and_escape_html(db, django_capture_on_commit_callbacks):
    make_products(django_capture_on_commit_callbacks, ("xss", "Orders <script>", "published", "All orderItems & more"))
    hit = search("order items").results[0]
    assert hit.highlights["name"] == "<mark>Orders</mark> &lt;script&gt;"
    assert hit.highlights["summary"] == "All <mark>order</mark><mark>Items</mark> &amp; more"


def test_results_page_through_everything_once(mesh_with_generated):
    seen = []
    for page in (1, 2, 3):
        seen += [(h.type, h.id) for h in search("amount", page=page, page_size=50).results]
    assert len(seen) == len(set(seen)) == min(search("amount").count, 150)
