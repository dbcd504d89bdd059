"""Quality by ODCS dimension (rates, chart, flaky checks) and measured freshness against promises."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.catalog import actions
from apps.catalog.models import QualityCheck, QualityResult
from apps.core.testing import SYSTEM
from apps.trust.criteria import Scope
from apps.trust.freshness import freshness_by_product, measure_lineage_events, measure_postgres_counters, parse_latency
from apps.trust.models import DatasetChange
from apps.trust.quality import DIMENSIONS, chart, check_histories, dimension_of, pass_rates

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "check_type,category,dimension",
    [
        ("not_null", "completeness", "completeness"),
        ("unique", "uniqueness", "uniqueness"),
        ("accepted_values", "validity", "conformity"),
        ("relationships", "accuracy", "consistency"),
        ("freshness", "timeliness", "timeliness"),
        ("unit_test", "accuracy", "accuracy"),
        ("rowCount", "other", "coverage"),
        ("singular", "validity", "conformity"),
        ("singular", "other", "accuracy"),
    ],
)
def test_every_check_maps_to_an_odcs_dimension(check_type, category, dimension):
    assert dimension_of(check_type, category) == dimension and dimension in DIMENSIONS


def _check(dataset, key, check_type, category="other"):
    return QualityCheck.objects.create(dataset=dataset, key=key, name=key, check_type=check_type, category=category)


def _results(check, statuses, *, days_apart=1.0):
    now = timezone.now()
    for i, status in enumerate(statuses):
        QualityResult.objects.create(
            quality_check=check,
            status=status,
            observed_at=now - timedelta(days=(len(statuses) - 1 - i) * days_apart, minutes=1),
            run_key=uuid.uuid4().hex,
        )


def test_pass_rates_per_dimension_over_7_and_30_days(mesh, django_assert_max_num_queries):
    not_null = _check(mesh.orders_ds, "nn", "not_null", "completeness")
    unique = _check(mesh.orders_ds, "uq", "unique", "uniqueness")
    _results(not_null, ["fail"] * 10 + ["pass"] * 10, days_apart=2)  # fails long ago, passes lately
    _results(unique, ["pass", "warn", "fail"])
    with django_assert_max_num_queries(2):
        rates = {r.dimension: r for r in pass_rates(mesh.orders)}
    assert list(rates) == list(DIMENSIONS)
    completeness = rates["completeness"]
    assert completeness.checks == 1 and completeness.total_30d == 15 and completeness.rate_30d == pytest.approx(10 / 15)
    assert completeness.total_7d == 4 and completeness.rate_7d == 1.0
    assert rates["uniqueness"].rate_7d == pytest.approx(2 / 3)  # warn counts as passing, like dbt
    assert rates["timeliness"].rate_30d is None and rates["timeliness"].checks == 0


def test_a_check_that_alternates_is_flagged_flaky(mesh):
    flaky = _check(mesh.orders_ds, "flaky", "not_null", "completeness")
    steady = _check(mesh.orders_ds, "steady", "unique", "uniqueness")
    broken = _check(mesh.orders_ds, "broken", "accepted_values", "validity")
    _results(flaky, ["pass", "fail", "pass", "fail", "pass", "pass"])
    _results(steady, ["pass"] * 6)
    _results(broken, ["pass", "pass", "fail", "fail", "fail"])
    histories = check_histories(mesh.orders)
    by_name = {h.name: h for h in histories}
    assert by_name["flaky"].flaky and by_name["flaky"].flips == 4
    assert not by_name["steady"].flaky and not by_name["broken"].flaky and by_name["broken"].last == "fail"
    assert histories[0].name == "flaky"  # flaky first, then failing, then passing
    assert [h.name for h in histories[1:]] == ["broken", "steady"]


def test_the_chart_has_a_line_per_dimension_with_results(mesh):
    _results(_check(mesh.orders_ds, "nn", "not_null", "completeness"), ["pass", "fail", "pass"])
    _results(_check(mesh.orders_ds, "fr", "freshness", "timeliness"), ["fail", "fail"])
    data = chart(mesh.orders)
    assert [line["dimension"] for line in data["lines"]] == ["completeness", "timeliness"]
    completeness = data["lines"][0]
    assert len(completeness["points"]) == 3
    ys = [p["y"] for p in completeness["points"]]
    assert ys[0] == ys[2] < ys[1]  # 100 % is higher on the chart than 0 %
    assert all(p["y"] == data["y_base"] for p in data["lines"][1]["points"])


@pytest.mark.parametrize(
    "value,minutes",
    [
        ("30m", 30),
        ("6h", 360),
        ("1d", 1440),
        ("2 days", 2880),
        (90, 90),
        ("1.5h", 90),
        ("soon", None),
        (None, None),
        (0, None),
        (True, None),
    ],
)
def test_latency_promises_are_read_to_the_minute(value, minutes):
    assert parse_latency(value) == minutes


def test_openlineage_complete_events_measure_when_a_dataset_changed(mesh):
    from apps.harvest.openlineage.models import LineageEvent

    when = timezone.now() - timedelta(minutes=42)
    event = LineageEvent.objects.create(
        run_id=str(uuid.uuid4()),
        event_type="COMPLETE",
        event_time=when,
        job_namespace="airflow",
        job_name="load_orders",
        payload={"outputs": [{"namespace": mesh.orders_ds.namespace, "name": mesh.orders_ds.name}]},
    )
    assert measure_lineage_events([event.pk]) == [mesh.orders_ds.pk]
    change = DatasetChange.objects.get(dataset=mesh.orders_ds)
    assert change.changed_at == when and change.evidence == "openlineage"
    assert not DatasetChange.objects.filter(dataset=mesh.raw).exists()


def test_pg_stat_counters_measure_a_change_only_when_they_move(mesh):
    t0 = timezone.now() - timedelta(hours=3)
    measure_postgres_counters({mesh.orders_ds.pk: 100}, measured_at=t0)
    assert DatasetChange.objects.get(dataset=mesh.orders_ds).changed_at is None  # first sight: no change known
    measure_postgres_counters({mesh.orders_ds.pk: 100}, measured_at=t0 + timedelta(hours=1))
    assert DatasetChange.objects.get(dataset=mesh.orders_ds).changed_at is None
    measure_postgres_counters({mesh.orders_ds.pk: 130}, measured_at=t0 + timedelta(hours=2))
    change = DatasetChange.objects.get(dataset=mesh.orders_ds)
    assert change.changed_at == t0 + timedelta(hours=2) and change.counter == 130 and change.evidence == "pg_stat"


def test_first_counters_of_many_tables_are_stored_at_once_and_a_counterless_change_gets_one(mesh):
    t0 = timezone.now() - timedelta(hours=3)
    DatasetChange.objects.create(dataset=mesh.raw, changed_at=t0, evidence="openlineage")  # no counter yet
    assert measure_postgres_counters({mesh.orders_ds.pk: 7, mesh.raw.pk: 40}, measured_at=t0) == 1
    rows = {c.dataset_id: (c.changed_at, c.evidence, c.counter) for c in DatasetChange.objects.all()}
    assert rows == {mesh.orders_ds.pk: (None, "pg_stat", 7), mesh.raw.pk: (t0, "openlineage", 40)}
    assert measure_postgres_counters({mesh.orders_ds.pk: 7, mesh.raw.pk: 40}) == 0


def test_freshness_compares_the_measured_change_with_the_promise(mesh):
    actions.update_port(SYSTEM, mesh.orders_port, endpoint_details={"latency": "1h"})
    DatasetChange.objects.create(
        dataset=mesh.orders_ds, changed_at=timezone.now() - timedelta(minutes=59), evidence="pg_stat"
    )
    [row] = freshness_by_product(Scope([mesh.orders.pk]))[mesh.orders.pk]
    assert row.fresh is True and row.promised_minutes == 60 and row.age_minutes == 59
    DatasetChange.objects.update(changed_at=timezone.now() - timedelta(minutes=61))
    [row] = freshness_by_product(Scope([mesh.orders.pk]))[mesh.orders.pk]
    assert row.fresh is False and row.label == "wh.sales.orders: changed 61 min ago, promised 60 min"


def test_a_dbt_freshness_policy_is_a_promise_too(mesh):
    check = QualityCheck.objects.create(
        dataset=mesh.orders_ds,
        key="source.shop.orders.freshness",
        name="freshness of shop.orders",
        check_type="freshness",
        category="timeliness",
        definition={"error_after": {"count": 12, "period": "hour"}},
    )
    QualityResult.objects.create(quality_check=check, status="fail", observed_at=timezone.now(), run_key="r1")
    [row] = freshness_by_product(Scope([mesh.orders.pk]))[mesh.orders.pk]
    assert row.promised_minutes == 720 and row.fresh is False and row.evidence == "dbt_freshness"
    QualityResult.objects.create(
        quality_check=check, status="pass", observed_at=timezone.now() + timedelta(minutes=1), run_key="r2"
    )
    [row] = freshness_by_product(Scope([mesh.orders.pk]))[mesh.orders.pk]
    assert row.fresh is True


def test_harvests_of_a_real_postgres_measure_table_changes_between_them(mesh, django_capture_on_commit_callbacks):
    from apps.catalog.models import Dataset
    from apps.harvest import actions as harvest_actions
    from tests.harvest.pg_source import execute, source_database

    with source_database() as (dsn, dbname, role):
        source = harvest_actions.create_source(SYSTEM, name="shop", kind="postgres", config={"dsn": dsn})
        with django_capture_on_commit_callbacks(execute=True):
            harvest_actions.trigger_harvest(SYSTEM, source, triggered_by="test", run_async=False)
        customers = Dataset.objects.get(name=f"{dbname}.sales.customers")
        first = DatasetChange.objects.get(dataset=customers)
        assert first.evidence == "pg_stat" and first.changed_at is None and first.counter >= 2  # two rows inserted
        execute(
            dsn,
            "insert into sales.customers (id, email) values (3, 'cy@example.com'); select pg_stat_force_next_flush();",
        )
        with django_capture_on_commit_callbacks(execute=True):
            run = harvest_actions.trigger_harvest(SYSTEM, source, triggered_by="test", run_async=False)
        change = DatasetChange.objects.get(dataset=customers)
        assert change.counter == first.counter + 1 and change.changed_at == run.finished_at
        untouched = DatasetChange.objects.get(dataset__name=f"{dbname}.marketing.campaigns")
        assert untouched.changed_at is None


def test_a_dataset_has_its_own_quality_page(mesh, client):
    check = _check(mesh.orders_ds, "nn", "not_null", "completeness")
    _results(check, ["pass", "fail", "pass", "fail", "pass"])
    client.force_login(mesh.consumer)
    html = client.get(f"/trust/datasets/{mesh.orders_ds.pk}/quality/").content.decode()
    assert 'data-dimension="completeness"' in html and "60%" in html and 'class="flaky"' in html
    assert client.get("/trust/datasets/999999/quality/").status_code == 404


def test_an_openlineage_complete_event_posted_to_the_intake_is_a_measured_change(
    mesh, django_capture_on_commit_callbacks
):
    from apps.harvest.openlineage.actions import receive_run_event

    when = (timezone.now() - timedelta(minutes=5)).replace(microsecond=0)
    event = {
        "eventTime": when.isoformat(),
        "producer": "https://example.com/airflow",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "eventType": "COMPLETE",
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "airflow", "name": "load_orders"},
        "inputs": [],
        "outputs": [{"namespace": mesh.orders_ds.namespace, "name": mesh.orders_ds.name}],
    }
    with django_capture_on_commit_callbacks(execute=True):
        receive_run_event(mesh.admin, event)
    change = DatasetChange.objects.get(dataset=mesh.orders_ds)
    assert change.evidence == "openlineage" and change.changed_at == when
