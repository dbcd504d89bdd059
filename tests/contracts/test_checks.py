"""Contracts checked after every harvest of a real PostgreSQL source whose schema changes."""

import pytest

from apps.catalog.models import Dataset
from apps.contracts import actions
from apps.contracts.models import CheckRun, DatasetVerdict, ImpactReport
from apps.core.models import Event
from tests.contracts.conftest import contract_yaml, harvest
from tests.harvest.pg_source import execute

pytestmark = pytest.mark.django_db


def test_a_met_contract_turns_violated_when_a_column_is_dropped(mesh, source, shop, port):
    customers = Dataset.objects.get(short_name="customers")
    actions.submit_contract(mesh.owner, contract_yaml(customers), port=port, via="test")
    harvest(source)
    first = CheckRun.objects.get()
    assert first.verdict == "met" and first.violated_count == 0 and first.met_count >= 6
    assert not Event.objects.filter(type="mesh.contract.violated").exists()

    execute(
        shop[1],
        "alter table sales.customers drop column name; alter table sales.customers alter column email drop not null",
    )
    run = harvest(source)
    assert run.counts["contract_violations"] == 1
    latest = CheckRun.objects.order_by("-id").first()
    assert latest.verdict == "violated"
    violated = {(c["clause"], c["kind"]) for c in latest.clauses if c["verdict"] == "violated"}
    assert violated == {("customers.name", "present"), ("customers.email", "required")}
    assert CheckRun.objects.count() == 2  # appended, never overwritten
    assert DatasetVerdict.objects.get().verdict == "violated"
    event = Event.objects.get(type="mesh.contract.violated")
    assert event.product_slug == "orders" and event.data["object"] == "customers"
    report = ImpactReport.objects.get(trigger="harvest")
    assert {c["subject"].rsplit(".", 1)[1] for c in report.changes} == {"name", "email"}

    execute(
        shop[1],
        "alter table sales.customers add column name text; update sales.customers set email = 'x' where email is null; alter table sales.customers alter column email set not null",
    )
    harvest(source)
    assert CheckRun.objects.order_by("-id").first().verdict == "met"
    assert Event.objects.filter(type="mesh.contract.met").count() == 1


def test_a_widened_type_violates_the_promised_type_but_a_narrower_one_meets_it(mesh, source, shop, port):
    customers = Dataset.objects.get(short_name="customers")
    actions.submit_contract(mesh.owner, contract_yaml(customers, email_type="varchar(200)"), port=port, via="test")
    harvest(source)  # harvested "text" is wider than the promised varchar(200)
    clause = next(c for c in CheckRun.objects.get().clauses if c["kind"] == "type")
    assert clause["clause"] == "customers.email" and "varchar(200)" in clause["evidence"]
    execute(
        shop[1],
        "drop view sales.big_customers; drop view sales.customer_totals; drop view marketing.late_alphabet;"
        " alter table sales.customers alter column email type varchar(100)",
    )
    harvest(source)
    assert CheckRun.objects.order_by("-id").first().verdict == "met"


def test_datasets_without_a_contract_are_not_checked(mesh, source, port):
    harvest(source)
    assert CheckRun.objects.count() == 0


def test_scheduled_quality_rules_run_read_only_through_the_lab_runner(mesh, source, shop, port):
    from apps.contracts.tasks import run_contract_quality
    from apps.lab.models import QueryRun

    customers = Dataset.objects.get(short_name="customers")
    rules = """        quality:
          - metric: nullValues
            mustBe: 0
          - metric: invalidValues
            arguments:
              validValues: [Ada]
            mustBe: 0
          - type: sql
            query: "select count(*) from {object} where {property} like 'B%'"
            mustBeLessThan: 5
"""
    text = contract_yaml(customers).replace(
        "      - name: name\n        logicalType: string\n", "      - name: name\n        logicalType: string\n" + rules
    )
    result = actions.submit_contract(mesh.owner, text, port=port, via="test")
    assert run_contract_quality(result.contract.pk) == 1
    run = CheckRun.objects.get(trigger="schedule")
    verdicts = {c["clause"].rsplit(" ", 1)[1]: (c["verdict"], c["evidence"]) for c in run.clauses}
    # Bob is not an accepted value; the SQL rule (one B-name) and no NULL names are met
    assert run.verdict == "violated" and verdicts == {"invalidValues": ("violated", "observed 1, mustBe 0")}
    assert run.met_count == 2
    runs = list(QueryRun.objects.order_by("id").values_list("status", "sql"))
    assert [s for s, _ in runs] == ["succeeded", "succeeded"]
    assert runs[1][1].startswith('SELECT count(*), count(*) - count("name")')

    # a rule that tries to write is refused by the runner's SQL check, never executed
    evil = text.replace("select count(*) from {object} where {property} like 'B%'", "delete from {object}").replace(
        "version: 1.0.0", "version: 1.0.1"
    )
    actions.submit_contract(mesh.owner, evil, via="test")
    run_contract_quality(result.contract.pk)
    latest = CheckRun.objects.filter(trigger="schedule").order_by("-id").first()
    sql_clause = next(c for c in latest.clauses if c["clause"].endswith("quality sql"))
    assert sql_clause["verdict"] == "unknown"
    assert QueryRun.objects.filter(status="refused").count() == 1


def test_an_unchanged_reharvest_still_appends_a_run_with_the_same_verdicts(mesh, source, shop, port):
    customers = Dataset.objects.get(short_name="customers")
    text = contract_yaml(customers).replace(
        "schema:\n", "slaProperties:\n  - property: latency\n    value: 1\n    unit: d\nschema:\n", 1
    )
    actions.submit_contract(mesh.owner, text, port=port, via="test")
    execute(shop[1], "alter table sales.customers alter column email drop not null")
    harvest(source)
    harvest(source)  # nothing changed: the earlier verdicts carry over, the SLA is judged again
    first, second = CheckRun.objects.order_by("id")
    assert first.verdict == second.verdict == "violated"
    strip = lambda run: sorted((c["clause"], c["kind"], c["verdict"]) for c in run.clauses)  # noqa: E731
    assert strip(first) == strip(second) and first.met_count == second.met_count
    assert ("customers sla latency 1d", "sla", "unknown") in strip(second)  # no observed update time
    assert Event.objects.filter(type="mesh.contract.violated").count() == 1


def test_the_maturity_score_reads_whether_the_active_contract_is_met(
    mesh, source, shop, port, django_capture_on_commit_callbacks
):
    from apps.trust.models import ProductMaturity

    customers = Dataset.objects.get(short_name="customers")
    actions.submit_contract(mesh.owner, contract_yaml(customers), port=port, via="test")
    harvest(source)
    execute(shop[1], "alter table sales.customers drop column name")
    with django_capture_on_commit_callbacks(execute=True):
        harvest(source)  # the verdict turns: the product is re-scored after the commit
    got = ProductMaturity.objects.get(product=mesh.orders).criteria["contract_met"]
    assert got["passed"] is False and got["count"] == 1
    assert got["evidence"][0]["label"].endswith(".sales.customers violates contract Customers of the shop")
    assert got["evidence"][0]["url"] == "/products/orders/#contract"
