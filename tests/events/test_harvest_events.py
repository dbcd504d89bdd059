"""Harvest events: one schema_changed per changed dataset (set-based), routed downstream; failures to staff."""

import pytest
from django.core import mail

from apps.catalog import actions
from apps.catalog.models import Dataset
from apps.catalog.testing import make_mesh
from apps.core.models import Event
from apps.core.testing import SYSTEM, make_user
from apps.events import actions as event_actions
from apps.events.models import Notification
from apps.harvest.models import HarvestRun, Source
from apps.harvest.pipeline import reconcile
from tests.harvest.test_pipeline import base_records, table

pytestmark = pytest.mark.django_db(transaction=True)


def test_breaking_schema_change_reaches_consumers_and_lineage_owners(django_assert_max_num_queries):
    mesh = make_mesh()
    source = Source.objects.create(name="shop", kind="postgres")
    reconcile(source, base_records())
    assert not Event.objects.filter(type="mesh.dataset.schema_changed").exists()  # a baseline is no change
    orders = Dataset.objects.get(name="shop.sales.orders")
    totals = Dataset.objects.get(name="shop.sales.order_totals")
    out = actions.create_port(SYSTEM, mesh.orders, name="orders-tables", direction="output", datasets=[orders])
    actions.create_port(SYSTEM, mesh.leads, name="orders-in", direction="input", upstream_port=out)
    reporting = actions.create_product(SYSTEM, domain=mesh.marketing, slug="reporting", name="Reporting")
    rita = make_user("rita")
    actions.add_owner(SYSTEM, reporting, user=rita)
    actions.create_port(SYSTEM, reporting, name="totals", direction="output", datasets=[totals])
    event_actions.set_preference(mesh.other_owner, "mesh.dataset.schema_changed", in_app=True, email="instant")

    records = base_records()
    records[0] = table("sales.orders", ("id", "integer", False), ("amount", "numeric(10,2)", False), ("note", "text"))
    records[1] = table("sales.customers", ("id", "bigint", False), ("email", "text"), ("phone", "text"))
    mail.outbox.clear()
    reconcile(source, records)

    events = list(Event.objects.filter(type="mesh.dataset.schema_changed").order_by("subject"))
    assert [(e.data["name"], e.data["breaking"]) for e in events] == [
        ("shop.sales.customers", False),
        ("shop.sales.orders", True),
    ]
    breaking = events[1]
    assert breaking.data["changes"] == [
        {
            "type": "type_changed",
            "column": "id",
            "before": {"type": "bigint"},
            "after": {"type": "integer"},
            "breaking": True,
        }
    ]
    told = dict(Notification.objects.filter(event=breaking).values_list("user__username", "reason"))
    assert told["olivia"] == "you own orders"
    assert told["oscar"] == "you consume orders:orders-tables through leads:orders-in"
    assert told["rita"] == "you own reporting, whose shop.sales.order_totals is built from shop.sales.orders"
    # a non-breaking change is not routed downstream
    assert "rita" not in set(Notification.objects.filter(event=events[0]).values_list("user__username", flat=True))
    assert [m.to for m in mail.outbox] == [["oscar@example.com"]] and "Breaking schema change" in mail.outbox[0].body


def test_harvest_failure_is_told_to_staff():
    staff = make_user("platform", superuser=True)
    source = Source.objects.create(name="broken", kind="postgres", config={})
    from apps.harvest.runner import claim_run, execute_run

    run = HarvestRun.objects.create(source=source, triggered_by="test")
    execute_run(claim_run(run.pk))
    event = Event.objects.get(type="mesh.harvest.failed")
    assert event.data["source"] == "broken" and event.data["errors"]
    assert Notification.objects.get(event=event).user == staff


def test_many_events_for_one_person_are_batched_into_a_digest():
    mesh = make_mesh()
    event_actions.set_preference(mesh.owner, "", in_app=True, email="instant")
    mail.outbox.clear()
    actions.update_product(mesh.domain_owner, mesh.orders, summary="one")
    assert len(mail.outbox) == 1 and "Why you got this: you own orders" in mail.outbox[0].body
    source = Source.objects.create(name="shop", kind="postgres")
    reconcile(source, base_records())
    for ds in Dataset.objects.all():
        event_actions.follow(mesh.owner, ds)
    mail.outbox.clear()
    reconcile(source, [table(f"sales.{n}", ("id", "text")) for n in ("orders", "customers", "order_totals")])
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "[Mesh Catalog] 3 updates for you"
    assert mail.outbox[0].body.count("you follow dataset") == 3
    assert not Notification.objects.filter(user=mesh.owner, email="instant", emailed_at__isnull=True).exists()
