"""Connection snippets carry no secret; a slow query can be cancelled from another request."""

import threading
import time

import pytest

from apps.catalog import actions as catalog_actions
from apps.core.testing import SYSTEM
from apps.lab import runner
from apps.lab.models import QueryRun, RunStatus
from apps.lab.snippets import port_snippets

pytestmark = pytest.mark.django_db


def test_postgres_snippets_come_from_the_endpoint_and_drop_credentials(lab):
    port = catalog_actions.update_port(
        SYSTEM, lab.port, endpoint="postgres://alice:s3cret@warehouse.internal:6432/analytics"
    )
    snippets = {s.key: s.text for s in port_snippets(port, [], "SELECT 1")}
    assert set(snippets) == {"psql", "psycopg", "pandas", "jdbc"}
    assert "jdbc:postgresql://warehouse.internal:6432/analytics" in snippets["jdbc"]
    assert 'host="warehouse.internal", port=6432, dbname="analytics"' in snippets["psycopg"]
    assert "postgresql+psycopg://warehouse.internal:6432/analytics" in snippets["pandas"]
    assert all("s3cret" not in text and "alice" not in text for text in snippets.values())


def test_glue_snippets_give_athena_sql_and_boto3_and_awswrangler(lab):
    port = catalog_actions.create_port(
        SYSTEM,
        lab.orders,
        name="orders-lake",
        direction="output",
        protocol="glue",
        endpoint_details={"region": "eu-west-1", "database": "sales_lake"},
    )
    snippets = {s.key: s.text for s in port_snippets(port, [], 'SELECT order_id FROM "sales_lake"."orders" LIMIT 100')}
    assert set(snippets) == {"athena", "boto3", "awswrangler"}
    assert 'region_name="eu-west-1"' in snippets["boto3"] and '"Database": "sales_lake"' in snippets["boto3"]
    assert 'database="sales_lake"' in snippets["awswrangler"]


@pytest.mark.django_db(transaction=True)
def test_a_running_query_is_cancelled_by_its_token(lab, settings):
    settings.MESH_LAB_STATEMENT_TIMEOUT_MS = 30000
    outcome = {}

    def slow():
        from django.db import connection

        try:
            outcome["result"] = runner.run_query(lab.consumer, lab.port, "SELECT pg_sleep(20)", token="cancel-me")
        finally:
            connection.close()

    started = time.monotonic()
    thread = threading.Thread(target=slow)
    thread.start()
    for _ in range(100):
        if QueryRun.objects.filter(token="cancel-me", backend_pid__isnull=False).exists():
            break
        time.sleep(0.05)
    time.sleep(0.2)
    assert not runner.cancel_run(lab.owner, "cancel-me")  # only the user who started it
    assert runner.cancel_run(lab.consumer, "cancel-me")
    thread.join(10)
    assert time.monotonic() - started < 5
    result = outcome["result"]
    assert result.error == "Cancelled." and QueryRun.objects.get(token="cancel-me").status == RunStatus.CANCELLED
