"""The harvested demo: dbt artifacts always, the warehouse when PostgreSQL has it."""

from io import StringIO

import pytest

from apps.catalog.models import Dataset, LineageEdge, QualityCheck
from apps.harvest import demo
from apps.harvest.models import HarvestRun, Source
from tests.harvest.dbt.conftest import WAREHOUSE_DB

pytestmark = pytest.mark.django_db


def load() -> list[str]:
    out = StringIO()
    demo.load_demo_data(out)
    return out.getvalue().splitlines()


def test_demo_without_postgres_harvests_the_committed_dbt_artifacts(monkeypatch):
    monkeypatch.setattr(demo, "WAREHOUSE_DSN", "postgresql://postgres@127.0.0.1:9/mesh_demo_warehouse")
    lines = load()
    assert lines[0].startswith("Harvested dbt source mesh-demo-dbt: succeeded (16 datasets, 16 added")
    assert lines[1].startswith("Demo warehouse not harvested: PostgreSQL database mesh_demo_warehouse is not reachable")
    assert Dataset.objects.filter(namespace=demo.WAREHOUSE_NAMESPACE, name="mesh_demo_warehouse.sales.orders").exists()
    assert LineageEdge.objects.filter(evidence="dbt").count() == 17 and QualityCheck.objects.count() == 47
    assert not Source.objects.filter(name=demo.WAREHOUSE_SOURCE).exists()

    again = load()
    assert "16 unchanged" in again[0] and Source.objects.filter(kind="dbt").count() == 1
    assert HarvestRun.objects.filter(source__name=demo.DBT_SOURCE, status="succeeded").count() == 2


def test_demo_with_a_reachable_warehouse_harvests_it_too(dbt_artifacts, monkeypatch):
    monkeypatch.setattr(demo, "WAREHOUSE_DSN", f"postgresql://postgres@127.0.0.1:5432/{WAREHOUSE_DB}")
    lines = load()
    assert lines[1].startswith("Harvested postgres source mesh-demo-warehouse: succeeded")
    assert (
        Dataset.objects.filter(
            name__startswith=f"{WAREHOUSE_DB}.sales.", source_links__source__name=demo.WAREHOUSE_SOURCE
        ).count()
        == 3
    )
