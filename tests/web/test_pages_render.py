"""Every page renders for a reader, with what a newcomer needs to see on it."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(client, mesh):
    client.force_login(mesh.consumer)
    return client


def test_home_shows_domain_map_recent_and_most_used(reader, mesh):
    html = reader.get("/").content.decode()
    assert "Domain map" in html and "Sales EMEA" in html and "Orders" in html
    assert "Most used" in html and "1 consumer" in html  # leads consumes orders


def test_anonymous_home_invites_to_log_in(client, mesh):
    response = client.get("/")
    assert response.status_code == 200 and "Log in to explore" in response.content.decode()


def test_product_page_shows_header_ports_consumers_and_history(reader, mesh):
    html = reader.get(reverse("catalog:product_detail", args=["orders"])).content.decode()
    for expected in (
        "Orders",
        "Sales EMEA",
        "Published",
        "Internal",
        "orders-table",
        "wh.sales.orders",
        "3 columns",
        "Leads",
        'class="lab-panel"',
        "olivia",
    ):
        assert expected in html, expected
    assert "Edit details" not in html and "Add output port" not in html


def test_product_schema_fragment_lists_datasets_and_loads_their_columns(reader, mesh):
    html = reader.get(reverse("catalog:product_schema", args=["orders"]), HTTP_HX_REQUEST="true").content.decode()
    assert "wh.sales.orders" in html and "3 columns" in html and "<html" not in html
    assert reverse("catalog:dataset_columns", args=[mesh.orders_ds.pk]) in html
    columns = reader.get(
        reverse("catalog:dataset_columns", args=[mesh.orders_ds.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "order_id" in columns and "PK" in columns and "pii" in columns


def test_dataset_page_shows_columns_lineage_products_and_provenance(reader, mesh):
    html = reader.get(reverse("catalog:dataset_detail", args=[mesh.orders_ds.pk])).content.decode()
    for expected in (
        "order_id",
        "wh.raw.orders",
        "wh.finance.revenue",
        "Orders",
        "orders-table",
        "Registered by hand",
        "Column lineage",
        "identity",
    ):
        assert expected in html, expected


def test_domain_page_lists_subdomains_products_and_owners(reader, mesh):
    html = reader.get(reverse("catalog:domain_detail", args=["sales"])).content.decode()
    assert "Sales EMEA" in html and "Orders" in html and "dora" in html and "Product graph" in html


def test_dataset_lineage_graph_draws_one_hop_each_side(reader, mesh):
    html = reader.get(reverse("catalog:lineage") + f"?focus=d{mesh.orders_ds.pk}").content.decode()
    assert html.count('class="node node-dataset') == 3 and "<svg" in html


def test_column_lineage_is_highlighted(reader, mesh):
    html = reader.get(
        reverse("catalog:lineage") + f"?focus=d{mesh.raw.pk}&column={mesh.amount_column.pk}"
    ).content.decode()
    # raw → orders → revenue are all on the amount column's path, two hops away included.
    assert html.count("node-dataset hl") + html.count("node-dataset focus hl") == 3


def test_product_lineage_graph_links_producer_and_consumer(reader, mesh):
    html = reader.get(reverse("catalog:lineage") + f"?focus=p{mesh.orders.pk}").content.decode()
    assert "Orders" in html and "Leads" in html and 'class="edge' in html


def test_unknown_pages_get_the_friendly_404(reader, mesh):
    response = reader.get("/products/nope/")
    assert response.status_code == 404 and "Nothing here" in response.content.decode()


def test_dataset_page_shows_keys_relationships_tests_and_breaking_changes(reader, mesh):
    from django.utils import timezone

    from apps.catalog.models import DatasetConstraint, QualityCheck, QualityResult, SchemaChange, SchemaVersion

    DatasetConstraint.objects.create(
        dataset=mesh.orders_ds,
        name="orders_raw_fk",
        kind="foreign_key",
        columns=["order_id"],
        referenced_dataset=mesh.raw,
        referenced_columns=["id"],
    )
    check = QualityCheck.objects.create(
        dataset=mesh.orders_ds,
        column_name="order_id",
        key="test.unique_order_id",
        name="unique_orders_order_id",
        check_type="unique",
    )
    QualityResult.objects.create(
        quality_check=check, status="fail", observed_at=timezone.now(), run_key="r1", failures=3
    )
    version = SchemaVersion.objects.create(dataset=mesh.orders_ds, version=2, schema_hash="abc", columns=[])
    SchemaChange.objects.create(
        dataset=mesh.orders_ds,
        schema_version=version,
        change_type="column_removed",
        column_name="legacy_total",
        before={"type": "numeric"},
        is_breaking=True,
    )
    SchemaChange.objects.create(
        dataset=mesh.orders_ds,
        schema_version=version,
        change_type="column_added",
        column_name="email",
        after={"type": "text"},
    )
    html = reader.get(reverse("catalog:dataset_detail", args=[mesh.orders_ds.pk])).content.decode()
    assert "FK" in html and "wh.raw.orders" in html.split('id="relationships"', 1)[1]
    assert 'class="badge status-fail" title="unique_orders_order_id"' in html
    assert html.count('<tr class="breaking">') == 1 and "legacy_total" in html and "v2" in html
    referenced = reader.get(reverse("catalog:dataset_detail", args=[mesh.raw.pk])).content.decode()
    assert "Referenced by" in referenced and "wh.sales.orders" in referenced.split("Referenced by", 1)[1]
    quality = reader.get(reverse("catalog:product_quality", args=["orders"]), HTTP_HX_REQUEST="true").content.decode()
    assert "unique_orders_order_id" in quality and "3 failing" in quality and "1 fail" in quality


def test_error_pages_are_clear(rf, mesh):
    from django.core.exceptions import PermissionDenied

    from apps.core.views import error_403, error_500

    request = rf.get("/")
    request.user = mesh.consumer
    forbidden = error_403(request, PermissionDenied("Only the owners of this product may edit it."))
    assert forbidden.status_code == 403 and "Only the owners of this product may edit it." in forbidden.content.decode()
    broken = error_500(rf.get("/"))
    assert broken.status_code == 500 and "Something broke on our side" in broken.content.decode()


def test_my_products_on_home_match_the_permission_rule(mesh):
    from apps.catalog.permissions import editable_products
    from apps.catalog.views.home import my_products

    for person in (mesh.domain_owner, mesh.owner, mesh.other_owner, mesh.consumer):
        assert set(my_products(person)) == set(editable_products(person)), person.username
    assert {p.slug for p in my_products(mesh.domain_owner)} == {"orders"}  # via the sales domain, two levels up
