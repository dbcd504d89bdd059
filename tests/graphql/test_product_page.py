"""The product page query: its SQL count does not depend on how big the product is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog import actions
from apps.catalog.models import Column, Dataset, LineageEdge, Port, PortDataset
from apps.core.testing import SYSTEM

pytestmark = pytest.mark.django_db

PRODUCT_PAGE = """
query ProductPage($slug: String!) {
  dataProduct(slug: $slug) {
    slug name summary lifecycle classification revision tags
    domain { slug name parent { slug } }
    owners { totalCount edges { node { role holder user { username } team { slug } } } }
    ports(first: 60) {
      totalCount
      edges { node {
        name direction protocol endpoint
        upstreamPort { name product { slug } }
        datasets(first: 3) {
          totalCount
          edges { node {
            namespace name kind
            columns(first: 250) { totalCount edges { node { name dataType nullable } } }
            upstream { upstream { name } evidence }
            downstream { downstream { name } }
          } }
        }
      } }
    }
  }
}
"""


def _product_with(mesh, slug: str, n_ports: int, n_columns: int):
    product = actions.create_product(SYSTEM, domain=mesh.emea, slug=slug, name=slug.title(), tags=["a", "b"])
    actions.add_owner(SYSTEM, product, user=mesh.owner)
    upstream = Dataset.objects.create(
        namespace="postgres://wh:5432", name=f"raw.{slug}", short_name=slug, platform="postgres"
    )
    datasets = Dataset.objects.bulk_create(
        [
            Dataset(namespace="postgres://wh:5432", name=f"{slug}.public.t{i}", short_name=f"t{i}", platform="postgres")
            for i in range(n_ports)
        ]
    )
    Column.objects.bulk_create(
        [Column(dataset=d, name=f"c{j}", ordinal=j, data_type="text") for d in datasets for j in range(n_columns)]
    )
    LineageEdge.objects.bulk_create([LineageEdge(upstream=upstream, downstream=d, evidence="manual") for d in datasets])
    ports = Port.objects.bulk_create(
        [Port(product=product, direction="output", name=f"port{i}", protocol="postgres") for i in range(n_ports)]
    )
    PortDataset.objects.bulk_create([PortDataset(port=p, dataset=d) for p, d in zip(ports, datasets, strict=True)])
    actions.create_port(SYSTEM, product, name="leads_in", direction="input", upstream_port=mesh.leads_port)
    return product


def _count_queries(client, slug):
    with CaptureQueriesContext(connection) as ctx:
        data = client(PRODUCT_PAGE, {"slug": slug})
    return len(ctx.captured_queries), data


def test_product_page_query_count_is_the_same_for_2_and_50_ports_of_200_columns(mesh, as_role):
    _product_with(mesh, "small", n_ports=1, n_columns=3)  # 1 output + 1 input port = 2 ports
    _product_with(mesh, "large", n_ports=50, n_columns=200)
    client = as_role("consumer")
    client(PRODUCT_PAGE, {"slug": "small"})  # warm caches (content types, auth)
    small_count, small = _count_queries(client, "small")
    large_count, large = _count_queries(client, "large")
    assert small["dataProduct"]["ports"]["totalCount"] == 2
    assert large["dataProduct"]["ports"]["totalCount"] == 51
    first = large["dataProduct"]["ports"]["edges"][1]["node"]
    assert first["datasets"]["edges"][0]["node"]["columns"]["totalCount"] == 200
    assert first["datasets"]["edges"][0]["node"]["upstream"][0]["upstream"]["name"] == "raw.large"
    assert large["dataProduct"]["ports"]["edges"][0]["node"]["upstreamPort"]["product"]["slug"] == "leads"
    assert small_count == large_count, (small_count, large_count)
    assert large_count <= 15
