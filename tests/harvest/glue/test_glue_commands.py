"""Glue through the same commands as every kind: add_source, harvest, export_catalog."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from apps.catalog.models import Dataset, LineageEdge
from tests.harvest.glue.conftest import NAMESPACE, REGION

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_glue_catalog_harvests_and_exports_through_the_commands(glue_catalog):
    config = {"region": REGION, "endpoint_url": glue_catalog, "exclude_databases": ["tmp_*"]}
    assert "Source 'lake' (glue) saved" in run("add_source", "lake", "--kind", "glue", "--config", json.dumps(config))
    report = run("harvest", "lake")
    assert "succeeded" in report.splitlines()[0] and "glue_view_unparsed [table/sales_lake/broken_view]" in report
    assert Dataset.objects.filter(namespace=NAMESPACE).count() == 8
    assert LineageEdge.objects.filter(evidence="glue_view").count() == 5

    exported = json.loads(run("export_catalog"))
    view = next(d for d in exported["datasets"] if d["name"] == "table/sales_lake/paid_orders")
    assert view["namespace"] == NAMESPACE and view["kind"] == "view" and view["source"] == "lake"
    assert {(u["name"]) for u in view["upstream"]} == {"table/sales_lake/orders", "table/sales_lake/payments"}
    paid = next(c for c in view["column_lineage"] if c["column"] == "paid_amount")
    assert paid["upstream"] == [{"namespace": NAMESPACE, "name": "table/sales_lake/payments", "column": "amount"}]

    second = run("harvest", "lake")
    assert "datasets_unchanged: 8" in second
