"""dbt through the same commands as every kind: add_source, harvest, export_catalog."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.harvest.dbt.conftest import COMMITTED, NAMESPACE, WAREHOUSE_DB

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_dbt_artifacts_harvest_and_export_through_the_commands(dbt_artifacts):
    config = {"path": str(dbt_artifacts), "warehouse_namespace": NAMESPACE}
    assert "Source 'shop-dbt' (dbt) saved" in run(
        "add_source", "shop-dbt", "--kind", "dbt", "--config", json.dumps(config), "--test"
    )
    report = run("harvest", "shop-dbt")
    assert report.splitlines()[0].endswith(": succeeded") and "quality_checks: 47" in report

    exported = json.loads(run("export_catalog"))
    orders = next(d for d in exported["datasets"] if d["name"] == f"{WAREHOUSE_DB}.sales.orders")
    assert orders["namespace"] == NAMESPACE and orders["source"] == "shop-dbt" and orders["kind"] == "table"
    assert [c["name"] for c in orders["columns"]][:3] == ["order_id", "customer_id", "order_date"]
    assert {u["name"] for u in orders["upstream"]} == {
        f"{WAREHOUSE_DB}.{t}" for t in ("sales.order_items", "staging.stg_orders", "staging.stg_payments")
    }
    amount_paid = next(c for c in orders["column_lineage"] if c["column"] == "amount_paid")
    assert amount_paid["upstream"] == [
        {"namespace": NAMESPACE, "name": f"{WAREHOUSE_DB}.staging.stg_payments", "column": "amount"}
    ]


def test_add_source_prints_field_errors_for_a_bad_dbt_config():
    with pytest.raises(CommandError) as caught:
        run(
            "add_source",
            "shop-dbt",
            "--kind",
            "dbt",
            "--config",
            json.dumps({"path": str(COMMITTED / "demo"), "colour": "blue"}),
        )
    message = str(caught.value)
    assert "config.warehouse_namespace: required" in message and "config.colour: unknown key" in message


def test_harvest_of_a_truncated_manifest_exits_non_zero_naming_the_file():
    run(
        "add_source",
        "broken-dbt",
        "--kind",
        "dbt",
        "--config",
        json.dumps({"path": str(COMMITTED / "truncated"), "warehouse_namespace": NAMESPACE}),
    )
    out = StringIO()
    with pytest.raises(CommandError, match="failed"):
        call_command("harvest", "broken-dbt", stdout=out)
    assert "error artifacts: manifest.json: is not valid JSON" in out.getvalue()
