"""dbt through the same commands as every kind: add_source, harvest, export_catalog."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from apps.core.testing import SYSTEM
from apps.harvest.actions import create_source
from apps.harvest.models import HarvestRun, RunStatus
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


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_harvest_on_the_command_line_prints_its_report_and_exits_with_the_runs_status(dbt_artifacts, tmp_path):
    """A foreground ``manage.py harvest`` leaves by ``os._exit`` (no interpreter teardown):
    its report must still be written whole and its exit code must still say how the run went."""
    for name, path in (("shop-dbt", dbt_artifacts), ("broken-dbt", COMMITTED / "truncated")):
        create_source(SYSTEM, name=name, kind="dbt", config={"path": str(path), "warehouse_namespace": NAMESPACE})
    db = connection.settings_dict
    # Block-buffered output (no PYTHONUNBUFFERED), as under cron or a scheduler writing to a file.
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PYTHONUNBUFFERED")} | {
        "DJANGO_SETTINGS_MODULE": "mesh_catalog.settings",
        "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MESH_DATA_DIR": str(tmp_path),
    }

    def harvest(name: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "manage.py", "harvest", name]
        return subprocess.run(command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=180)

    done = harvest("shop-dbt")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].endswith(": succeeded") and "quality_checks: 47" in done.stdout
    assert done.stdout.endswith("\n") and HarvestRun.objects.get(source__name="shop-dbt").status == RunStatus.SUCCEEDED

    failed = harvest("broken-dbt")
    assert failed.returncode == 1
    assert "error artifacts: manifest.json: is not valid JSON" in failed.stdout
    assert "Harvest of 'broken-dbt' failed." in failed.stderr
