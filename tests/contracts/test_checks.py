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
