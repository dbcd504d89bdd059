"""Routing: who hears of an event, told once each, with why — and nothing for a rollback."""

import pytest
from django.db import transaction

from apps.catalog import actions
from apps.catalog.models import Dataset, LineageEdge
from apps.catalog.testing import make_mesh
from apps.core.models import Event
from apps.core.testing import SYSTEM, make_user
from apps.events import actions as event_actions
from apps.events.models import Notification, Preference
from apps.governance import actions as access
from apps.lab.models import QueryRun

pytestmark = pytest.mark.django_db(transaction=True)


def reasons(event_type: str) -> dict[str, tuple[str, str]]:
    event = Event.objects.filter(type=event_type).latest("id")
    return {
        n.user.username: (n.reason_code, n.reason)
        for n in Notification.objects.filter(event=event).select_related("user")
    }


@pytest.fixture
def mesh():
    m = make_mesh()
    m.tables = Dataset.objects.create(
        namespace="postgres://wh:5432", name="shop.public.orders", short_name="orders", platform="postgres"
    )
    m.revenue_ds = Dataset.objects.create(
        namespace="postgres://wh:5432", name="shop.public.revenue", short_name="revenue", platform="postgres"
    )
    LineageEdge.objects.create(upstream=m.tables, downstream=m.revenue_ds, evidence="view_sql")
    m.out = actions.create_port(SYSTEM, m.orders, name="orders-tables", direction="output", datasets=[m.tables])
    m.revenue = actions.create_product(SYSTEM, domain=m.marketing, slug="revenue", name="Revenue")
    m.rev_owner = make_user("rita")
    actions.add_owner(SYSTEM, m.revenue, user=m.rev_owner)
    m.rev_in = actions.create_port(SYSTEM, m.revenue, name="revenue-in", direction="input", upstream_port=m.out)
    m.rev_out = actions.create_port(SYSTEM, m.revenue, name="revenue-out", direction="output", datasets=[m.revenue_ds])
    m.bi = actions.create_product(SYSTEM, domain=m.marketing, slug="bi", name="BI")
    m.bi_owner = make_user("bianca")
    actions.add_owner(SYSTEM, m.bi, user=m.bi_owner)
    actions.create_port(SYSTEM, m.bi, name="bi-out", direction="output", datasets=[m.revenue_ds])
    return m


def test_deprecation_reaches_owners_consumers_lineage_grants_and_lab_users_once_each(mesh):
    holder, lab_user, fan = make_user("gina"), make_user("lars"), make_user("fiona")
    req = access.request_access(holder, mesh.out, reason="monthly revenue reporting")
    access.approve_request(mesh.owner, req)
    QueryRun.objects.create(token="t1", user=lab_user, product=mesh.orders, port=mesh.out, sql="select 1")
    event_actions.follow(fan, mesh.orders)
    event_actions.follow(mesh.rev_owner, mesh.orders)  # also a consumer: told once, as consumer
    actions.update_product(mesh.owner, mesh.orders, lifecycle="deprecated")
    got = reasons("mesh.product.lifecycle_changed")
    assert got["dora"] == ("domain_owner", "you own the sales domain")
    assert got["rita"] == ("consumer", "you consume orders:orders-tables through revenue:revenue-in")
    assert got["bianca"][0] == "lineage" and "shop.public.revenue is built from shop.public.orders" in got["bianca"][1]
    assert got["gina"] == ("grant", "you hold access to orders:orders-tables")
    assert got["lars"] == ("lab", "you queried orders in the lab in the last 30 days")
    assert got["fiona"] == ("follower", "you follow product orders")
    assert "olivia" not in got  # the actor is not told of their own change
    assert Notification.objects.filter(event__type="mesh.product.lifecycle_changed").count() == len(got) == 6


def test_plain_update_reaches_implicit_followers_but_not_lineage_or_lab(mesh):
    lab_user = make_user("lars")
    QueryRun.objects.create(token="t1", user=lab_user, product=mesh.orders, port=mesh.out, sql="select 1")
    actions.update_product(mesh.owner, mesh.orders, summary="All orders, daily")
    got = reasons("mesh.product.updated")
    assert set(got) == {"dora", "rita"}


def test_a_rolled_back_write_notifies_nobody(mesh):
    before = Notification.objects.count(), Event.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.update_product(mesh.owner, mesh.orders, lifecycle="deprecated")
        raise RuntimeError("boom")
    assert (Notification.objects.count(), Event.objects.count()) == before


def test_preferences_filter_and_unknown_type_is_refused(mesh):
    from apps.core.errors import ActionError

    event_actions.set_preference(mesh.rev_owner, "mesh.product.lifecycle_changed", in_app=False, email="off")
    with pytest.raises(ActionError, match="Unknown event type"):
        event_actions.set_preference(mesh.rev_owner, "mesh.nope.thing", in_app=True, email="off")
    actions.update_product(mesh.owner, mesh.orders, lifecycle="deprecated")
    assert "rita" not in reasons("mesh.product.lifecycle_changed")
    assert Preference.objects.filter(user=mesh.rev_owner).count() == 1


def test_access_request_goes_to_owners_and_decision_to_requester(mesh):
    casey = mesh.consumer
    req = access.request_access(casey, mesh.out, reason="churn analysis for Q4")
    assert set(reasons("mesh.access.requested")) == {"olivia", "dora"}
    access.deny_request(mesh.owner, req, comment="use the aggregated port")
    assert reasons("mesh.access.denied")["casey"] == ("direct", "this is about your access request")


def test_routing_twice_tells_nobody_twice(mesh):
    from apps.events.dispatch import route
    from apps.events.models import EventRoute

    actions.update_product(mesh.owner, mesh.orders, lifecycle="deprecated")
    event = Event.objects.get(type="mesh.product.lifecycle_changed")
    n = Notification.objects.filter(event=event).count()
    EventRoute.objects.filter(event=event).delete()
    route([event.pk])
    assert Notification.objects.filter(event=event).count() == n


def test_deleting_a_product_tells_its_former_owners(mesh):
    doomed = actions.create_product(SYSTEM, domain=mesh.marketing, slug="doomed", name="Doomed")
    actions.add_owner(SYSTEM, doomed, user=mesh.rev_owner)
    actions.delete_product(mesh.admin, doomed)
    assert reasons("mesh.product.deleted")["rita"] == ("direct", "this is about you")


def test_routing_a_batch_costs_the_same_queries_for_2_or_40_events(mesh):
    """Set-based routing: a harvest's schema changes are resolved together, not one by one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.events.dispatch import route

    event_actions.follow(make_user("fiona"), mesh.tables)
    datasets = [mesh.tables, mesh.revenue_ds] + [
        Dataset.objects.create(namespace="postgres://wh:5432", name=f"shop.public.t{i}", platform="postgres")
        for i in range(38)
    ]

    def queries_to_route(n: int) -> tuple[int, list]:
        events = Event.objects.bulk_create(
            [
                Event(
                    type="mesh.dataset.schema_changed",
                    subject=ds.name,
                    data={"dataset_id": ds.pk, "name": ds.name, "breaking": True, "changes": []},
                )
                for ds in datasets[:n]
            ]
        )
        with CaptureQueriesContext(connection) as ctx:
            route([e.pk for e in events])
        told = sorted(Notification.objects.filter(event__in=events).values_list("event__subject", "user__username"))
        return len(ctx.captured_queries), told

    few, told_few = queries_to_route(2)
    many, told_many = queries_to_route(40)
    assert many == few
    assert (
        told_few
        == told_many
        == [
            ("shop.public.orders", "bianca"),
            ("shop.public.orders", "dora"),
            ("shop.public.orders", "fiona"),
            ("shop.public.orders", "olivia"),
            ("shop.public.orders", "rita"),
            ("shop.public.revenue", "bianca"),
            ("shop.public.revenue", "rita"),
        ]
    )


def test_removing_a_port_tells_the_products_that_consumed_it(mesh):
    actions.delete_port(mesh.owner, mesh.out)
    got = reasons("mesh.port.deleted")
    assert got["rita"] == ("consumer", "you consumed orders:orders-tables")
    assert "bianca" not in got  # bi publishes revenue, it consumed nothing of orders
