"""Each criterion flipped both ways: a fact the catalog already has, changed, moves the verdict."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.catalog import actions
from apps.catalog.models import LineageEdge, QualityCheck, QualityResult
from apps.core.testing import SYSTEM
from tests.trust.conftest import outcome

pytestmark = pytest.mark.django_db


def flips(product, criterion_id, change, *, before=False, after=True):
    first = outcome(product, criterion_id)
    assert first["passed"] is before, first
    change()
    second = outcome(product, criterion_id)
    assert second["passed"] is after, second
    return first, second


# --- Discoverable ------------------------------------------------------------------


def test_summary_present(mesh):
    first, _ = flips(
        mesh.orders,
        "summary_present",
        lambda: actions.update_product(SYSTEM, mesh.orders, summary="Every order placed in EMEA shops, one row each."),
    )
    assert first["evidence"][0]["label"] == "summary length: 0 (needs 20)"
    flips(
        mesh.orders,
        "summary_present",
        lambda: actions.update_product(SYSTEM, mesh.orders, summary="Orders"),
        before=True,
        after=False,
    )


def test_documentation_substantial(mesh):
    flips(
        mesh.orders,
        "documentation_substantial",
        lambda: actions.update_product(SYSTEM, mesh.orders, description="x" * 250),
    )
    flips(
        mesh.orders,
        "documentation_substantial",
        lambda: actions.update_product(SYSTEM, mesh.orders, description="short"),
        before=True,
        after=False,
    )


def test_tagged(mesh):
    flips(mesh.leads, "tagged", lambda: actions.update_product(SYSTEM, mesh.leads, tags=["marketing"]))
    flips(mesh.leads, "tagged", lambda: actions.update_product(SYSTEM, mesh.leads, tags=[]), before=True, after=False)


def test_has_owners(mesh):
    def remove():
        for o in mesh.orders.ownerships.all():
            actions.remove_owner(SYSTEM, o)

    flips(mesh.orders, "has_owners", remove, before=True, after=False)
    flips(mesh.orders, "has_owners", lambda: actions.add_owner(SYSTEM, mesh.orders, user=mesh.owner))


def test_domain_owned(mesh):
    # orders is in emea, under sales which dora owns; leads' marketing has no domain owner.
    assert outcome(mesh.orders, "domain_owned")["passed"] is True
    first, _ = flips(
        mesh.leads, "domain_owned", lambda: actions.add_owner(SYSTEM, mesh.marketing, user=mesh.other_owner)
    )
    assert first["evidence"] == [{"label": "domain Marketing has no owner"}]
    for o in mesh.sales.ownerships.all():
        actions.remove_owner(SYSTEM, o)
    assert outcome(mesh.orders, "domain_owned")["passed"] is False


def test_found_by_search(mesh):
    from apps.search.indexer import rebuild
    from apps.search.models import SearchEntry

    flips(mesh.orders, "found_by_search", rebuild)
    SearchEntry.objects.filter(kind="product", object_id=mesh.orders.pk).delete()
    assert outcome(mesh.orders, "found_by_search")["passed"] is False


def _query_run(product, port, status="succeeded", *, sample_query=None, days_ago=0):
    from apps.lab.models import QueryRun

    run = QueryRun.objects.create(
        token=uuid.uuid4().hex, product=product, port=port, sql="select 1", status=status, sample_query=sample_query
    )
    if days_ago:
        QueryRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return run


def test_popular(mesh):
    flips(mesh.orders, "popular", lambda: _query_run(mesh.orders, mesh.orders_port))
    from apps.lab.models import QueryRun

    QueryRun.objects.update(created_at=timezone.now() - timedelta(days=40))
    assert outcome(mesh.orders, "popular")["passed"] is False


# --- Addressable -------------------------------------------------------------------


def test_output_ports_complete(mesh):
    first, _ = flips(
        mesh.leads,
        "output_ports_complete",
        lambda: actions.update_port(SYSTEM, mesh.leads_port, endpoint="postgres://warehouse:5432/wh"),
    )
    assert first["evidence"][0]["label"] == "port leads-table has no endpoint"
    assert first["evidence"][0]["url"].endswith(f"/products/leads/#port-{mesh.leads_port.pk}")
    flips(
        mesh.leads,
        "output_ports_complete",
        lambda: actions.update_port(SYSTEM, mesh.leads_port, protocol="other"),
        before=True,
        after=False,
    )
    product = actions.create_product(SYSTEM, domain=mesh.marketing, slug="empty", name="Empty")
    assert outcome(product, "output_ports_complete")["evidence"] == [{"label": "no output port"}]


def test_stable_id(mesh):
    first, second = flips(
        mesh.orders,
        "stable_id",
        lambda: actions.update_product(SYSTEM, mesh.orders, slug="orders-emea"),
        before=True,
        after=False,
    )
    assert second["evidence"] == [{"label": "renamed from orders to orders-emea"}]


def test_reader_connects(mesh):
    first, _ = flips(mesh.orders, "reader_connects", lambda: _query_run(mesh.orders, mesh.orders_port))
    assert "orders-table" in first["evidence"][0]["label"]
    from apps.lab.models import QueryRun

    QueryRun.objects.update(status="failed")
    assert outcome(mesh.orders, "reader_connects")["passed"] is False
    product = actions.create_product(SYSTEM, domain=mesh.marketing, slug="portless", name="Portless")
    assert outcome(product, "reader_connects")["passed"] is None


# --- Trustworthy -------------------------------------------------------------------


def _check(dataset, key="not_null_order_id", check_type="not_null", category="completeness", **fields):
    return QualityCheck.objects.create(
        dataset=dataset, key=key, name=key, check_type=check_type, category=category, **fields
    )


def _result(check, status, *, hours_ago=0.0, run=None):
    return QualityResult.objects.create(
        quality_check=check,
        status=status,
        observed_at=timezone.now() - timedelta(hours=hours_ago),
        run_key=run or uuid.uuid4().hex,
    )


def test_checks_on_outputs(mesh):
    first, _ = flips(mesh.orders, "checks_on_outputs", lambda: _check(mesh.orders_ds))
    assert first["evidence"][0] == {
        "label": "wh.sales.orders has no quality check",
        "url": f"/datasets/{mesh.orders_ds.pk}/",
    }
    QualityCheck.objects.update(removed_at=timezone.now())
    assert outcome(mesh.orders, "checks_on_outputs")["passed"] is False


def test_pass_rate_30d(mesh):
    check = _check(mesh.orders_ds)
    assert outcome(mesh.orders, "pass_rate_30d")["passed"] is None  # no results yet: not applicable
    for i in range(19):
        _result(check, "pass", hours_ago=i + 1)
    assert outcome(mesh.orders, "pass_rate_30d")["passed"] is True
    failed = _result(check, "fail")
    _result(_check(mesh.orders_ds, key="unique_order_id", check_type="unique"), "fail")
    got = outcome(mesh.orders, "pass_rate_30d")
    assert got["passed"] is False and got["value"] == pytest.approx(19 / 21, abs=1e-3) and got["note"] == "19/21 passed"
    assert {e["label"] for e in got["evidence"]} == {"check not_null_order_id failed", "check unique_order_id failed"}
    QualityResult.objects.filter(status="fail").update(observed_at=timezone.now() - timedelta(days=31))
    assert outcome(mesh.orders, "pass_rate_30d")["passed"] is True
    assert failed.pk


def test_fresh_within_latency(mesh):
    from apps.trust.models import DatasetChange

    assert outcome(mesh.orders, "fresh_within_latency")["passed"] is None  # nothing promised
    actions.update_port(SYSTEM, mesh.orders_port, endpoint_details={"latency": "6h"})
    got = outcome(mesh.orders, "fresh_within_latency")
    assert got["passed"] is False and "no change measured" in got["evidence"][0]["label"]
    DatasetChange.objects.create(
        dataset=mesh.orders_ds, changed_at=timezone.now() - timedelta(hours=2), evidence="openlineage"
    )
    assert outcome(mesh.orders, "fresh_within_latency")["passed"] is True
    DatasetChange.objects.update(changed_at=timezone.now() - timedelta(hours=7))
    got = outcome(mesh.orders, "fresh_within_latency")
    assert got["passed"] is False and "changed 420 min ago, promised 360 min" in got["evidence"][0]["label"]


def test_contract_met_is_not_applicable_without_an_active_contract(mesh):
    got = outcome(mesh.orders, "contract_met")
    assert got["passed"] is None
    assert got["note"] == "no active contract on its output ports"


def test_contract_met_reads_the_product_fact_its_provider_supplies(mesh):
    from apps.core.facts import PRODUCT_FACTS, Fact

    verdict = {"ok": False}
    provider = PRODUCT_FACTS.pop("contract_met")
    PRODUCT_FACTS.register("contract_met", lambda ids: {pid: Fact(verdict["ok"]) for pid in ids})
    try:
        flips(mesh.orders, "contract_met", lambda: verdict.update(ok=True))
    finally:
        PRODUCT_FACTS["contract_met"] = provider


def test_no_open_incidents(mesh):
    from apps.trust import actions as trust_actions

    holder = {}
    first, second = flips(
        mesh.orders,
        "no_open_incidents",
        lambda: holder.update(i=trust_actions.open_incident(mesh.owner, mesh.orders, title="Totals double-counted")),
        before=True,
        after=False,
    )
    assert second["evidence"][0]["label"] == "open incident: Totals double-counted"
    flips(mesh.orders, "no_open_incidents", lambda: trust_actions.resolve_incident(mesh.owner, holder["i"]))


def test_lineage_to_source(mesh):
    # orders.orders_ds is fed by raw; leads' revenue is fed by orders and leads has an input port.
    assert outcome(mesh.orders, "lineage_to_source")["passed"] is True
    flips(
        mesh.orders,
        "lineage_to_source",
        lambda: LineageEdge.objects.filter(downstream=mesh.orders_ds).delete(),
        before=True,
        after=False,
    )
    flips(
        mesh.orders,
        "lineage_to_source",
        lambda: actions.create_port(
            SYSTEM, mesh.orders, name="raw-in", direction="input", upstream_port=mesh.leads_port
        ),
    )


def test_every_rubric_criterion_has_a_flip_test():
    from apps.trust.rubric import load_rubric
    from tests.trust import test_criteria_more

    names = set(globals()) | set(vars(test_criteria_more))
    for c in load_rubric().criteria:
        assert any(n.startswith(f"test_{c.id}") for n in names), c.id
