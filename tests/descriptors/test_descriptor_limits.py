"""Issue 12, items 4 and 5: descriptors are bounded before any object is built.

The attacks: a billion-laughs descriptor pinned a worker for a minute; a 20 MB
description grew ``apply_product`` to 12 GB; a 10,000-port descriptor was accepted; 50,000
nested ``[`` raised RecursionError; and, being declarative, an apply silently deleted a
port with its sample queries.
"""

import time

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.catalog import actions
from apps.catalog.descriptors import DescriptorInvalid, apply_descriptor
from apps.catalog.models import DataProduct, Port
from apps.core.limits import LimitError
from apps.core.testing import SYSTEM
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

HEAD = "apiVersion: v1.0.0\nkind: DataProduct\nid: orders\nname: Orders\ndomain: emea\nstatus: active\n"


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return HEAD + "\n".join(lines) + "\n"


def put(mesh, text):
    return client_for(mesh, "owner").put("/api/v1/products/orders/descriptor", text, content_type="application/yaml")


def codes(response) -> set:
    return {e["code"] for e in response.json()["errors"]}


def test_billion_laughs_is_refused_before_it_expands(mesh):
    started = time.perf_counter()
    response = put(mesh, billion_laughs())
    assert response.status_code == 400 and codes(response) & {"too_many_nodes", "too_many_aliases"}
    assert time.perf_counter() - started < 1.0


def test_a_few_aliases_still_work(mesh):
    text = HEAD + "tags: &t [gold]\ncustomProperties: {classification: internal}\n"
    assert put(mesh, text).status_code == 200


def test_50000_nested_brackets_are_a_400(mesh):
    response = put(mesh, HEAD + "tags: " + "[" * 50_000 + "]" * 50_000 + "\n")
    assert response.status_code == 400 and codes(response) & {"too_deep", "invalid_yaml"}
    response = put(mesh, HEAD + "tags: " + "[" * 100 + "]" * 100 + "\n")
    assert response.status_code == 400 and codes(response) == {"too_deep"}
    assert response.json()["errors"][0]["line"] == 7


def test_a_20_mb_description_is_a_413_over_http_and_refused_by_the_cli(mesh, tmp_path):
    text = HEAD + "description:\n  usage: '" + "x" * 20_000_000 + "'\n"
    response = put(mesh, text)
    assert response.status_code == 413 and codes(response) == {"too_large"}
    with pytest.raises(DescriptorInvalid) as exc:
        apply_descriptor(SYSTEM, text)
    assert exc.value.problems[0].code == "too_large"
    path = tmp_path / "orders.yaml"
    path.write_text(text)
    with pytest.raises(CommandError, match="nothing was applied"):
        call_command("apply_product", str(path))


def test_a_long_description_within_the_size_limit_is_refused(mesh, settings):
    settings.MESH_MAX_DESCRIPTION_CHARS = 1000
    response = put(mesh, HEAD + "description:\n  usage: '" + "x" * 1001 + "'\n")
    assert response.status_code == 400 and codes(response) == {"too_long"}
    assert DataProduct.objects.get(slug="orders").description == ""


def test_10000_ports_are_refused_at_once(mesh):
    text = HEAD + "outputPorts:\n" + "".join(f"  - name: p{i}\n    type: postgres\n" for i in range(10_000))
    before = set(Port.objects.filter(product__slug="orders").values_list("name", flat=True))
    started = time.perf_counter()
    response = put(mesh, text)
    assert response.status_code == 400 and codes(response) == {"too_many_ports"}
    assert time.perf_counter() - started < 1.0
    assert set(Port.objects.filter(product__slug="orders").values_list("name", flat=True)) == before


def test_the_port_limit_holds_for_every_interface(mesh, settings):
    settings.MESH_MAX_PORTS_PER_PRODUCT = Port.objects.filter(product=mesh.orders).count() + 2
    actions.create_port(SYSTEM, mesh.orders, name="a", direction="output")
    actions.create_port(SYSTEM, mesh.orders, name="b", direction="output")
    with pytest.raises(LimitError, match="MESH_MAX_PORTS_PER_PRODUCT"):
        actions.create_port(SYSTEM, mesh.orders, name="c", direction="output")


def test_the_description_limit_holds_for_graphql_too(mesh, settings):
    from apps.core.actions import create_token
    from tests.graphql.conftest import GraphQLClient

    settings.MESH_MAX_DESCRIPTION_CHARS = 100
    client = GraphQLClient(create_token(mesh.owner, name="t")[1])
    data = client(
        'mutation($d: String!) { updateProduct(slug: "orders", input: {description: $d}) { errors { field code } } }',
        {"d": "y" * 101},
    )
    assert data["updateProduct"]["errors"] == [{"field": "description", "code": "too_long"}]


def test_the_column_limit(mesh, settings):
    settings.MESH_MAX_COLUMNS_PER_DATASET = 3
    with pytest.raises(LimitError, match="columns per dataset"):
        actions.register_dataset(
            SYSTEM,
            namespace="pg://h",
            name="db.s.t",
            platform="postgres",
            columns=[{"name": f"c{i}"} for i in range(4)],
        )


def test_deleting_a_port_with_sample_queries_needs_a_dry_run_and_confirmation(mesh):
    from apps.lab import actions as lab_actions

    port = actions.create_port(SYSTEM, mesh.orders, name="orders_api", direction="output", protocol="rest")
    lab_actions.create_sample_query(SYSTEM, port, title="All", sql="SELECT 1")
    client = client_for(mesh, "owner")
    text = client.get("/api/v1/products/orders/descriptor?format=yaml").content.decode()
    data = yaml.safe_load(text)
    data["outputPorts"] = [p for p in data["outputPorts"] if p["name"] != "orders_api"]
    text = yaml.safe_dump(data)

    refused = client.put("/api/v1/products/orders/descriptor", text, content_type="application/yaml")
    assert refused.status_code == 400 and codes(refused) == {"confirm_deletions"}
    assert "1 sample queries" in refused.json()["errors"][0]["message"]
    assert Port.objects.filter(pk=port.pk).exists()

    preview = client.put("/api/v1/products/orders/descriptor?dry_run=1", text, content_type="application/yaml")
    assert preview.status_code == 200 and "output:orders_api would be deleted" in preview.json()["warnings"][0]
    assert Port.objects.filter(pk=port.pk).exists()

    confirmed = client.put(
        "/api/v1/products/orders/descriptor?confirm_deletions=1", text, content_type="application/yaml"
    )
    assert confirmed.status_code == 200 and confirmed.json()["applied"] is True
    assert not Port.objects.filter(pk=port.pk).exists()
