"""The lab's demo data: curated queries on Orders, a reader on the demo warehouse, a real run."""

import io

import pytest

from apps.catalog.demo import load_demo
from apps.catalog.models import Port
from apps.core.testing import SYSTEM
from apps.lab import demo, runner
from apps.lab.models import SampleQuery
from apps.lab.panel import build_panel
from tests.lab.demo_warehouse import ensure_demo_warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_mesh():
    load_demo()
    return Port.objects.select_related("product__domain").get(product__slug="orders", name="orders-tables")


def test_without_a_postgres_source_the_demo_adds_queries_and_the_panel_says_what_to_configure(demo_mesh):
    out = io.StringIO()
    demo.load_demo_data(out)
    assert "no PostgreSQL source" in out.getvalue()
    assert sorted(SampleQuery.objects.filter(port=demo_mesh).values_list("title", flat=True)) == [
        "Best-selling products",
        "Returned orders",
        "Revenue per month",
    ]
    from django.contrib.auth import get_user_model

    panel = build_panel(demo_mesh, get_user_model().objects.get(username="casey"))
    assert not panel["runnable"] and "reader_dsn" in panel["configure_hint"]


def test_loading_the_demo_twice_writes_nothing_the_second_time(demo_mesh):
    demo.load_demo_data(io.StringIO())
    out = io.StringIO()
    demo.load_demo_data(out)
    assert "0 curated sample queries written" in out.getvalue()


def test_with_the_demo_warehouse_harvested_the_curated_queries_return_rows(demo_mesh):
    from django.contrib.auth import get_user_model

    from apps.harvest import actions as harvest_actions

    ensure_demo_warehouse()
    source = harvest_actions.create_source(
        SYSTEM,
        name="demo-warehouse",
        kind="postgres",
        config={"dsn": "postgresql://postgres@127.0.0.1:5432/mesh_demo_warehouse"},
    )
    harvest_actions.trigger_harvest(SYSTEM, source, run_async=False)
    out = io.StringIO()
    demo.load_demo_data(out)
    casey = get_user_model().objects.get(username="casey")
    panel = build_panel(demo_mesh, casey)
    assert panel["runnable"]
    curated = [q for q in panel["queries"] if q.origin == "curated"]
    assert len(curated) == 3 and all(q.problems == [] for q in curated), [q.problems for q in curated]
    for q in panel["queries"]:
        result = runner.run_query(casey, demo_mesh, q.sql)
        assert result.ok and result.row_count > 0, (q.title, result.error)
