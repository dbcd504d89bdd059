"""Incidents: owners open and resolve them; failing checks and failed harvests open and clear them."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.catalog.models import QualityCheck, QualityResult
from apps.core.errors import ActionError, PermissionDeniedError
from apps.core.models import Event, ObjectChange
from apps.trust import actions
from apps.trust.incidents import mttr, mttr_by, sync_check_incidents, sync_harvest_incidents
from apps.trust.models import Incident, ProductMaturity

pytestmark = pytest.mark.django_db


def test_owners_open_update_and_resolve_an_incident_with_history_and_events(mesh):
    incident = actions.open_incident(
        mesh.owner, mesh.orders, title="Totals double-counted", severity="critical", message="Since 2 am."
    )
    assert incident.is_open and incident.opened_by == mesh.owner
    actions.add_incident_update(mesh.owner, incident, message="Found the join.", severity="major")
    resolved = actions.resolve_incident(mesh.domain_owner, incident, message="Fixed and backfilled.")
    assert resolved.resolved_at is not None and resolved.severity == "major"
    assert [u.kind for u in incident.updates.all()] == ["opened", "severity", "resolved"]
    opened, closed = Event.objects.get(type="mesh.incident.opened"), Event.objects.get(type="mesh.incident.resolved")
    assert opened.product_slug == closed.product_slug == "orders" and opened.data["severity"] == "critical"
    assert closed.data["minutes_open"] == 0
    assert ObjectChange.objects.filter(object_id=incident.pk, object_repr="Totals double-counted").count() == 3


def test_who_may_touch_incidents(mesh):
    with pytest.raises(PermissionDeniedError):
        actions.open_incident(mesh.consumer, mesh.orders, title="I think it is wrong")
    with pytest.raises(PermissionDeniedError):
        actions.open_incident(mesh.other_owner, mesh.orders, title="Not my product")
    incident = actions.open_incident(mesh.admin, mesh.orders, title="Admins may")
    with pytest.raises(PermissionDeniedError):
        actions.resolve_incident(mesh.consumer, incident)
    assert Incident.objects.get(pk=incident.pk).is_open


@pytest.mark.parametrize(
    "fields,code",
    [
        ({"title": ""}, "required"),
        ({"title": "x" * 201}, "too_long"),
        ({"title": "ok", "severity": "apocalyptic"}, "invalid_choice"),
        ({"title": "ok", "message": "m" * 10_001}, "too_long"),
    ],
)
def test_bad_incident_input_is_refused_and_writes_nothing(mesh, fields, code):
    with pytest.raises(ActionError) as exc:
        actions.open_incident(mesh.owner, mesh.orders, **fields)
    assert exc.value.errors[0][1] == code
    assert not Incident.objects.exists() and not Event.objects.filter(type__startswith="mesh.incident").exists()


def test_resolving_twice_is_refused(mesh):
    incident = actions.open_incident(mesh.owner, mesh.orders, title="Late")
    actions.resolve_incident(mesh.owner, incident)
    with pytest.raises(ActionError, match="already resolved"):
        actions.resolve_incident(mesh.owner, incident)


def _check_with(dataset, *statuses):
    check = QualityCheck.objects.create(
        dataset=dataset, key=f"k{uuid.uuid4().hex[:6]}", name="not_null_amount", check_type="not_null"
    )
    for i, status in enumerate(statuses):
        QualityResult.objects.create(
            quality_check=check,
            status=status,
            observed_at=timezone.now() - timedelta(minutes=len(statuses) - i),
            run_key=uuid.uuid4().hex,
        )
    return check


def test_a_failing_check_opens_an_incident_that_resolves_when_it_passes(mesh):
    check = _check_with(mesh.orders_ds, "pass", "fail")
    assert sync_check_incidents([mesh.orders_ds.pk]) == (1, 0)
    incident = Incident.objects.get()
    assert (
        incident.cause == "check"
        and incident.cause_key == f"checks:{mesh.orders_ds.pk}"
        and incident.product == mesh.orders
    )
    assert incident.title == "1 quality check failing on wh.sales.orders"
    assert sync_check_incidents([mesh.orders_ds.pk]) == (0, 0)  # the same cause never opens twice
    QualityResult.objects.create(quality_check=check, status="pass", observed_at=timezone.now(), run_key="fixed")
    assert sync_check_incidents([mesh.orders_ds.pk]) == (0, 1)
    incident.refresh_from_db()
    assert incident.resolved_at is not None and incident.updates.last().message == "The checks pass again."


def test_a_harvest_reports_check_failures_through_the_change_listener(mesh, django_capture_on_commit_callbacks):
    from apps.catalog import actions as catalog_actions
    from apps.core.testing import SYSTEM

    _check_with(mesh.orders_ds, "error")
    with django_capture_on_commit_callbacks(execute=True):
        catalog_actions.register_dataset(
            SYSTEM,
            namespace=mesh.orders_ds.namespace,
            name=mesh.orders_ds.name,
            platform="postgres",
            columns=[{"name": "order_id", "primary_key": True}],
        )
    assert Incident.objects.filter(resolved_at__isnull=True, product=mesh.orders).count() == 1
    assert ProductMaturity.objects.get(product=mesh.orders).criteria["no_open_incidents"]["passed"] is False


def test_a_failed_harvest_opens_an_incident_on_the_products_of_its_source(mesh):
    from apps.harvest.models import HarvestRun, Source

    source = Source.objects.create(name="warehouse", kind="postgres", config={})
    mesh.orders_ds.source = source
    mesh.orders_ds.save(update_fields=["source"])
    now = timezone.now()
    HarvestRun.objects.create(source=source, status="failed", triggered_by="schedule", started_at=now, finished_at=now)
    assert sync_harvest_incidents([source.pk]) == (1, 0)
    incident = Incident.objects.get()
    assert (
        incident.cause == "harvest"
        and incident.title == "Harvest of warehouse failed"
        and incident.product == mesh.orders
    )
    HarvestRun.objects.create(
        source=source,
        status="succeeded",
        triggered_by="schedule",
        started_at=now,
        finished_at=now + timedelta(minutes=5),
    )
    assert sync_harvest_incidents([source.pk]) == (0, 1)


def test_a_finished_run_notifies_the_listener(mesh, django_capture_on_commit_callbacks):
    from apps.harvest.models import HarvestRun, Source
    from apps.harvest.pipeline import RunReport
    from apps.harvest.runner import finish_run

    source = Source.objects.create(name="warehouse", kind="postgres", config={})
    mesh.orders_ds.source = source
    mesh.orders_ds.save(update_fields=["source"])
    run = HarvestRun.objects.create(source=source, status="running", triggered_by="cli", started_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        finish_run(run, "failed", RunReport())
    assert Incident.objects.filter(cause="harvest", resolved_at__isnull=True).count() == 1


def test_mean_time_to_resolve_per_product_and_domain(mesh):
    for minutes in (30, 90):
        incident = actions.open_incident(mesh.owner, mesh.orders, title=f"Late by {minutes}")
        Incident.objects.filter(pk=incident.pk).update(opened_at=timezone.now() - timedelta(minutes=minutes))
        actions.resolve_incident(mesh.owner, Incident.objects.get(pk=incident.pk))
    actions.open_incident(mesh.owner, mesh.orders, title="Still open")
    assert abs(mttr(Incident.objects.filter(product=mesh.orders)) - timedelta(minutes=60)) < timedelta(seconds=5)
    by_domain = mttr_by("product__domain__slug")
    mean, resolved, still_open = by_domain["emea"]
    assert resolved == 2 and still_open == 1 and abs(mean - timedelta(minutes=60)) < timedelta(seconds=5)
