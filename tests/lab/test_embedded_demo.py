"""The embedded demo (`make run` with no services): a DuckDB warehouse built, harvested, queried.

load_demo with ``MESH_DEMO_WAREHOUSE=duckdb`` and a fresh data directory: the warehouse file
is built from the demo dbt project, harvested with dbt's docs on the same datasets, the
products' ports hold those datasets, and every curated and starter query on Orders returns
rows. Loading again creates only what is missing: owners' edits survive, nothing is written.
"""

import io
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from apps.catalog import actions as catalog_actions
from apps.catalog.models import DataProduct, Dataset, Port
from apps.core import demo_warehouse
from apps.core.models import ObjectChange
from apps.harvest.models import HarvestRun, Source
from apps.lab import actions as lab_actions
from apps.lab import runner
from apps.lab.models import SampleQuery
from apps.lab.panel import build_panel

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def embedded(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    settings.MESH_DEMO_WAREHOUSE = "duckdb"
    settings.MESH_LAB_RATE_LIMIT_PER_MINUTE = 0
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return tmp_path, out.getvalue()


def orders_port():
    return Port.objects.select_related("product__domain").get(product__slug="orders", name="orders-tables")


def test_the_warehouse_is_built_harvested_and_bound_to_the_ports(embedded):
    data_dir, out = embedded
    path = data_dir / "demo_warehouse.duckdb"
    assert path.exists() and "built from the demo dbt project" in out
    ns = demo_warehouse.namespace()
    assert ns == f"duckdb://{path}"
    port = orders_port()
    assert sorted(port.datasets.values_list("namespace", "name")) == [
        (ns, "mesh_demo_warehouse.sales.order_items"),
        (ns, "mesh_demo_warehouse.sales.orders"),
    ]
    assert port.protocol == "file" and port.endpoint == ns
    orders = Dataset.objects.get(namespace=ns, name="mesh_demo_warehouse.sales.orders")
    # dbt's docs and the DuckDB harvest meet on one dataset
    assert set(orders.source_links.values_list("source__kind", flat=True)) == {"dbt", "duckdb"}
    assert orders.columns.count() == 9 and orders.row_estimate == 150
    assert Dataset.objects.filter(namespace__startswith="postgres://").count() == 0
    assert HarvestRun.objects.filter(status="succeeded").count() == 2


def test_every_query_on_orders_returns_rows(embedded):
    casey = get_user_model().objects.get(username="casey")
    panel = build_panel(orders_port(), casey)
    assert panel["runnable"] and panel["engine"].kind == "duckdb"
    curated = [q for q in panel["queries"] if q.origin == "curated"]
    assert sorted(q.title for q in curated) == ["Best-selling products", "Returned orders", "Revenue per month"]
    assert all(q.problems == [] for q in panel["queries"] if q.origin != "generated")
    for q in panel["queries"]:
        result = runner.run_query(casey, orders_port(), q.sql)
        assert result.ok and result.row_count > 0, (q.title, result.error)


def test_loading_again_creates_only_what_is_missing_and_never_reverts_an_edit(embedded):
    olivia = get_user_model().objects.get(username="olivia")
    product = DataProduct.objects.get(slug="orders")
    catalog_actions.update_product(olivia, product, summary="Edited by the owner.")
    query = SampleQuery.objects.get(port=orders_port(), title="Revenue per month")
    lab_actions.update_sample_query(olivia, query, sql="SELECT count(*) AS orders FROM sales.orders")
    catalog_actions.update_port(olivia, orders_port(), description="Owner's words.")
    SampleQuery.objects.filter(port=orders_port(), title="Returned orders").delete()  # a deleted query comes back
    changes = ObjectChange.objects.count()

    out = io.StringIO()
    call_command("load_demo", stdout=out)

    assert "up to date" in out.getvalue()
    assert DataProduct.objects.get(slug="orders").summary == "Edited by the owner."
    assert SampleQuery.objects.get(pk=query.pk).sql == "SELECT count(*) AS orders FROM sales.orders"
    assert orders_port().description == "Owner's words."
    assert SampleQuery.objects.filter(port=orders_port(), title="Returned orders").count() == 1
    assert ObjectChange.objects.count() == changes + 1  # the re-created query, nothing else
    assert Source.objects.filter(kind="duckdb").count() == 1


@pytest.mark.slow
def test_the_demo_modifies_no_tracked_file(embedded):
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True)
    before = status.stdout
    call_command("load_demo", stdout=io.StringIO())
    after = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True)
    assert after.stdout == before


def test_a_failed_build_leaves_no_half_built_warehouse(tmp_path, monkeypatch):
    from apps.harvest import demo_warehouse as builder

    manifest = builder.json.loads((builder.artifacts_dir() / "manifest.json").read_text())
    manifest["nodes"]["model.mesh_demo.orders"]["compiled_code"] = "select * from nowhere.missing"
    catalog = builder.json.loads((builder.artifacts_dir() / "catalog.json").read_text())
    with pytest.raises(builder.WarehouseBuildError, match="model.mesh_demo.orders"):
        builder.build(tmp_path / "w.duckdb", manifest, catalog)
    assert list(tmp_path.iterdir()) == []


@override_settings(MESH_DEMO_WAREHOUSE="postgres")
def test_with_postgres_chosen_the_demo_names_tables_in_postgres(db):
    from apps.catalog.demo import load_demo

    load_demo()
    assert orders_port().datasets.filter(namespace="postgres://127.0.0.1:5432").count() == 2
    assert orders_port().protocol == "postgres"
