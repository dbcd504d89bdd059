"""Pages run a fixed number of queries, whatever the number of ports, datasets or columns."""

import itertools
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.catalog import actions
from apps.catalog.models import Column, Dataset, LineageEdge, LineageEvidence, QualityCheck, QualityResult
from apps.core.testing import SYSTEM

pytestmark = pytest.mark.django_db
PORTS, COLUMNS = 50, 200


def make_wide_product(mesh, slug="wide", ports=PORTS, columns=COLUMNS):
    """A product with ``ports`` output ports, each over its own dataset of ``columns`` columns."""
    product = actions.create_product(SYSTEM, domain=mesh.emea, slug=slug, name=f"Wide {slug}", tags=["big"])
    actions.add_owner(SYSTEM, product, user=mesh.owner)
    datasets = Dataset.objects.bulk_create(
        [
            Dataset(
                namespace="postgres://wide:5432", name=f"wh.{slug}.t{i:03}", short_name=f"t{i:03}", platform="postgres"
            )
            for i in range(ports)
        ]
    )
    Column.objects.bulk_create(
        [
            Column(dataset=d, name=f"c{j:03}", ordinal=j + 1, data_type="text", description="x" * 40)
            for d in datasets
            for j in range(columns)
        ]
    )
    LineageEdge.objects.bulk_create(
        [
            LineageEdge(upstream=a, downstream=b, evidence=LineageEvidence.MANUAL)
            for a, b in itertools.pairwise(datasets)
        ]
    )
    checks = QualityCheck.objects.bulk_create(
        [
            QualityCheck(
                dataset=d, key=f"test.{d.pk}.{k}", name=f"not_null_c00{k}", check_type="not_null", column_name=f"c00{k}"
            )
            for d in datasets
            for k in range(2)
        ]
    )
    from django.utils import timezone

    QualityResult.objects.bulk_create(
        [QualityResult(quality_check=c, status="pass", observed_at=timezone.now(), run_key="r1") for c in checks]
    )
    for i, dataset in enumerate(datasets):
        actions.create_port(
            SYSTEM, product, name=f"port-{i:02}", direction="output", protocol="postgres", datasets=[dataset]
        )
    return product


def count_queries(client, url, **headers) -> tuple[int, float]:
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get(url, **headers)
        elapsed = time.perf_counter() - start
    assert response.status_code == 200, url
    return len(ctx.captured_queries), elapsed


def page_urls(slug, dataset_pk):
    return [
        reverse("catalog:product_detail", args=[slug]),
        reverse("catalog:product_schema", args=[slug]),
        reverse("catalog:product_more_ports", args=[slug]),
        reverse("catalog:dataset_columns", args=[dataset_pk]),
        reverse("catalog:product_quality", args=[slug]),
        reverse("catalog:product_history", args=[slug]),
        reverse("catalog:dataset_detail", args=[dataset_pk]),
    ]


@pytest.fixture
def owner_client(client, mesh):
    client.force_login(mesh.owner)
    return client


def test_product_pages_query_count_does_not_grow_with_ports_and_columns(owner_client, mesh):
    small = make_wide_product(mesh, slug="small", ports=14, columns=3)  # past PORTS_SHOWN, like the big one
    big = make_wide_product(mesh, slug="wide")
    small_ds = Dataset.objects.filter(name__startswith="wh.small.").first()
    big_ds = Dataset.objects.filter(name__startswith="wh.wide.").order_by("name")[10]
    for small_url, big_url in zip(page_urls(small.slug, small_ds.pk), page_urls(big.slug, big_ds.pk), strict=True):
        owner_client.get(small_url)  # warm the content-type and session caches
        n_small, _ = count_queries(owner_client, small_url)
        n_big, _ = count_queries(owner_client, big_url)
        assert n_big == n_small, f"{big_url}: {n_big} queries for the wide product, {n_small} for the small one"


def test_wide_product_page_stays_within_its_query_budget(owner_client, mesh, django_assert_max_num_queries):
    big = make_wide_product(mesh)
    url = reverse("catalog:product_detail", args=[big.slug])
    owner_client.get(url)
    with django_assert_max_num_queries(14):
        response = owner_client.get(url)
    html = response.content.decode()
    assert (
        html.count('class="port port-output"') == 12
        and "200 columns" in html
        and f"Show {PORTS - 12} more output ports" in html
    )
    rest = owner_client.get(
        reverse("catalog:product_more_ports", args=[big.slug]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert rest.count('class="port port-output"') == PORTS - 12 and "port-49" in rest and "port-00" not in rest
    schema = owner_client.get(
        reverse("catalog:product_schema", args=[big.slug]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert schema.count("<details") == 10 and "Next datasets" in schema and "c001" not in schema  # paginated, collapsed
    dataset = Dataset.objects.filter(name__startswith="wh.wide.").order_by("name").first()
    columns = owner_client.get(
        reverse("catalog:dataset_columns", args=[dataset.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert columns.count("<tr>") == 101 and "Columns 1–100 of 200" in columns  # opened: one page of columns


def test_other_pages_have_fixed_query_budgets(owner_client, mesh, django_assert_max_num_queries):
    make_wide_product(mesh)
    budgets = {
        "/": 8,
        reverse("catalog:domain_detail", args=["sales"]): 9,
        reverse("catalog:lineage") + f"?focus=d{mesh.orders_ds.pk}&depth=2": 15,
        reverse("catalog:lineage") + f"?focus=p{mesh.orders.pk}": 8,
        reverse("catalog:lineage") + "?domain=sales": 9,
        reverse("profile"): 8,
    }
    for url, budget in budgets.items():
        owner_client.get(url)
        with django_assert_max_num_queries(budget, info=url):
            assert owner_client.get(url).status_code == 200
