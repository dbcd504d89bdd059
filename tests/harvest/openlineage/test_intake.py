"""POST /api/v1/lineage: real OpenLineage client events in, datasets and lineage out."""

import uuid

import pytest
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import RunState
from openlineage.client.transport.http import ApiKeyTokenProvider, HttpConfig, HttpTransport
from rest_framework.test import APIClient

from apps.catalog.models import ColumnLineageEdge, Dataset, LineageEdge, QualityCheck, QualityResult, SchemaChange
from apps.core.actions import create_token
from apps.core.testing import SYSTEM, make_user
from apps.harvest.actions import create_source, trigger_harvest
from apps.harvest.openlineage.models import LineageEvent
from tests.harvest.dbt.conftest import COMMITTED
from tests.harvest.openlineage.events import LAKE, WAREHOUSE, as_json, spark_job_event

URL = "/api/v1/lineage"


def token_for(user) -> str:
    return create_token(user, name="openlineage")[1]


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    return client


@pytest.mark.django_db(transaction=True)
def test_openlineage_client_events_become_datasets_lineage_and_columns(live_server):
    token = token_for(make_user("airflow", superuser=True))
    client = OpenLineageClient(
        transport=HttpTransport(
            HttpConfig(url=live_server.url, auth=ApiKeyTokenProvider({"apiKey": token}), timeout=10)
        )
    )
    run_id = str(uuid.uuid4())
    client.emit(spark_job_event(RunState.START, run_id))
    client.emit(spark_job_event(RunState.COMPLETE, run_id))

    assert sorted(LineageEvent.objects.values_list("event_type", flat=True)) == ["COMPLETE", "START"]
    output = Dataset.objects.get(namespace=LAKE, name="gold/revenue_by_customer")
    assert (output.platform, output.description, output.owner) == (
        "s3",
        "Revenue per customer and country.",
        "revenue-analytics",
    )
    assert list(output.columns.values_list("name", "data_type")) == [
        ("customer_id", "int"),
        ("country", "string"),
        ("revenue", "decimal(14,2)"),
    ]
    edges = set(LineageEdge.objects.filter(evidence="openlineage").values_list("upstream__name", "downstream__name"))
    assert edges == {
        ("shop.public.orders", "gold/revenue_by_customer"),
        ("shop.public.customers", "gold/revenue_by_customer"),
    }
    columns = set(
        ColumnLineageEdge.objects.values_list(
            "upstream__dataset__name", "upstream__name", "downstream__name", "transformation"
        )
    )
    assert columns == {
        ("shop.public.orders", "customer_id", "customer_id", "identity"),
        ("shop.public.customers", "country", "country", "identity"),
        ("shop.public.orders", "amount", "revenue", "aggregation"),
    }
    assert Dataset.objects.get(namespace=WAREHOUSE, name="shop.public.orders").platform == "postgres"


@pytest.mark.django_db
def test_repeated_event_is_accepted_once():
    client = api(make_user("airflow", superuser=True))
    event = as_json(spark_job_event())
    first = client.post(URL, event, format="json")
    assert first.status_code == 201 and first.json()["summary"]["lineage_edges_added"] == 2
    again = client.post(URL, event, format="json")
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert (
        LineageEvent.objects.count() == 1
        and LineageEdge.objects.count() == 2
        and ColumnLineageEdge.objects.count() == 3
    )


@pytest.mark.django_db
def test_schema_facet_of_a_later_run_records_the_schema_change():
    client = api(make_user("airflow", superuser=True))
    assert client.post(URL, as_json(spark_job_event()), format="json").status_code == 201
    response = client.post(URL, as_json(spark_job_event(extra_output_column=True)), format="json")
    assert response.status_code == 201 and response.json()["summary"]["columns_added"] == 1
    output = Dataset.objects.get(namespace=LAKE)
    assert output.columns.count() == 4
    change = SchemaChange.objects.get(dataset=output)
    assert (change.change_type, change.column_name, change.is_breaking) == ("column_added", "order_count", False)


@pytest.mark.django_db
def test_harvested_dataset_keeps_its_columns_and_gains_lineage():
    source = create_source(
        SYSTEM,
        name="dbt-demo",
        kind="dbt",
        config={"path": str(COMMITTED / "demo"), "warehouse_namespace": WAREHOUSE},
        via="tests",
    )
    assert trigger_harvest(SYSTEM, source, run_async=False).status == "succeeded"
    orders = Dataset.objects.get(namespace=WAREHOUSE, name="mesh_demo_warehouse.sales.orders")
    before = list(orders.columns.values_list("name", "data_type"))
    event = as_json(spark_job_event())
    event["inputs"][0]["name"] = "mesh_demo_warehouse.sales.orders"
    event["outputs"][0]["facets"]["columnLineage"]["fields"]["revenue"]["inputFields"][0]["name"] = (
        "mesh_demo_warehouse.sales.orders"
    )
    event["outputs"][0]["facets"]["columnLineage"]["fields"]["revenue"]["inputFields"][0]["field"] = "order_total"
    response = api(make_user("airflow", superuser=True)).post(URL, event, format="json")
    assert response.status_code == 201
    summary = response.json()["summary"]
    assert any("columns come from its harvested source" in s for s in summary["skipped"])
    assert list(orders.columns.values_list("name", "data_type")) == before
    assert LineageEdge.objects.filter(
        upstream=orders, evidence="openlineage", downstream__name="gold/revenue_by_customer"
    ).exists()
    assert ColumnLineageEdge.objects.filter(
        upstream__dataset=orders, upstream__name="order_total", downstream__name="revenue"
    ).exists()


MALFORMED = [
    (lambda e: e["run"].pop("runId"), "run.runId", "is required"),
    (lambda e: e["run"].update(runId="not-a-uuid"), "run.runId", "must be a UUID"),
    (lambda e: e.update(eventTime="yesterday"), "eventTime", "not an ISO 8601 date-time"),
    (lambda e: e.update(eventType="FINISHED"), "eventType", "must be one of"),
    (lambda e: e.update(inputs={"a": 1}), "inputs", "must be a list"),
    (lambda e: e["outputs"][0].pop("name"), "outputs[0].name", "is required"),
    (
        lambda e: e["outputs"][0]["facets"]["schema"]["fields"][1].pop("name"),
        "outputs[0].facets.schema.fields[1].name",
        "needs a name",
    ),
    (
        lambda e: e["outputs"][0]["facets"]["columnLineage"].update(fields=[]),
        "outputs[0].facets.columnLineage.fields",
        "must map",
    ),
    (lambda e: [e.pop("run"), e.update(dataset={"namespace": "x", "name": "y"})], "run", "only RunEvents"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("damage", "field", "reason"), MALFORMED)
def test_malformed_event_gets_400_naming_the_field(damage, field, reason):
    event = as_json(spark_job_event())
    damage(event)
    response = api(make_user("airflow", superuser=True)).post(URL, event, format="json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == field and reason in error["message"] and error["code"] == "malformed_event"
    assert not Dataset.objects.exists() and not LineageEvent.objects.exists()


@pytest.mark.django_db
def test_body_that_is_not_json_gets_400():
    response = api(make_user("airflow", superuser=True)).post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_only_admins_post_lineage():
    event = as_json(spark_job_event())
    assert api().post(URL, event, format="json").status_code in (401, 403)
    assert api(make_user("casey")).post(URL, event, format="json").status_code == 403
    assert not Dataset.objects.exists()


@pytest.mark.django_db
def test_data_quality_assertions_become_checks_with_this_runs_results():
    from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent
    from openlineage.client.facet_v2 import data_quality_assertions_dataset as dq

    def great_expectations_run(*, amount_ok: bool) -> dict:
        assertions = [
            dq.Assertion(assertion="not_null", success=True, column="order_id"),
            dq.Assertion(assertion="expect_column_values_to_be_between", success=amount_ok, column="amount",
                         expected="0 ≤ amount ≤ 10000", actual="3 rows outside"),
        ]  # fmt: skip
        facet = dq.DataQualityAssertionsDatasetFacet(assertions=assertions)
        event = RunEvent(
            eventType=RunState.COMPLETE,
            eventTime="2026-11-30T10:00:00Z",
            run=Run(runId=str(uuid.uuid4())),
            job=Job(namespace="great_expectations", name="orders_suite"),
            producer="https://github.com/OpenLineage/OpenLineage/tree/1.54.0/integration/great-expectations",
            inputs=[InputDataset(WAREHOUSE, "shop.public.orders", inputFacets={"dataQualityAssertions": facet})],
            outputs=[OutputDataset(LAKE, "gold/orders_checked")],
        )
        return as_json(event)

    client = api(make_user("airflow", superuser=True))
    assert client.post(URL, great_expectations_run(amount_ok=False), format="json").status_code == 201
    checks = {c.check_type: c for c in QualityCheck.objects.filter(dataset__name="shop.public.orders")}
    assert set(checks) == {"not_null", "expect_column_values_to_be_between"}
    assert (checks["not_null"].category, checks["not_null"].column_name) == ("completeness", "order_id")
    failed = QualityResult.objects.get(quality_check=checks["expect_column_values_to_be_between"])
    assert (failed.status, failed.message) == ("fail", "expected 0 ≤ amount ≤ 10000, got 3 rows outside")

    assert client.post(URL, great_expectations_run(amount_ok=True), format="json").status_code == 201
    assert QualityCheck.objects.count() == 2  # the same checks, a second result each
    latest = QualityResult.objects.filter(quality_check=checks["expect_column_values_to_be_between"])
    assert sorted(latest.values_list("status", flat=True)) == ["fail", "pass"]


@pytest.mark.django_db
def test_an_assertion_without_a_boolean_success_is_a_400_naming_it():
    event = as_json(spark_job_event())
    event["inputs"][0]["inputFacets"] = {"dataQualityAssertions": {"assertions": [{"assertion": "unique"}]}}
    response = api(make_user("airflow", superuser=True)).post(URL, event, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "inputs[0].inputFacets.dataQualityAssertions.assertions[0].success"
    assert not QualityResult.objects.exists()
