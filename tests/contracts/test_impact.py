"""Impact reports: consumers through ports, column lineage, grants and lab SQL, affected or informed."""

import pytest

from apps.catalog import actions as catalog_actions
from apps.catalog.models import ColumnLineageEdge, Dataset
from apps.contracts import actions
from apps.contracts.impact import columns_read
from apps.contracts.models import ImpactEntry
from apps.core.errors import PermissionDeniedError
from apps.core.models import Event
from apps.core.testing import SYSTEM, make_user
from apps.governance import actions as governance
from apps.lab.models import QueryRun
from tests.contracts.conftest import contract_yaml

pytestmark = pytest.mark.django_db


def test_columns_read_parses_sql_with_sqlglot():
    assert columns_read("select c.email, count(*) from sales.customers c where c.id > 3 group by 1") == {"email", "id"}
    assert "*" in columns_read("select * from customers")
    assert columns_read("this is not sql ((") == set()


def test_breaking_proposal_marks_who_reads_the_touched_column(mesh, port, django_assert_max_num_queries):
    customers = Dataset.objects.get(short_name="customers")
    totals = Dataset.objects.get(short_name="customer_totals")
    assert ColumnLineageEdge.objects.filter(upstream__dataset=customers, downstream__dataset=totals).exists()
    # leads consumes the port and publishes the view derived from it
    catalog_actions.create_port(SYSTEM, mesh.leads, name="from-orders", direction="input", upstream_port=port)
    catalog_actions.create_port(SYSTEM, mesh.leads, name="totals", direction="output", datasets=[totals])
    # casey holds a grant and queried the e-mail column; lena only ever read ids
    request = governance.request_access(mesh.consumer, port, reason="weekly revenue report for finance")
    governance.approve_request(mesh.owner, request)
    lena = make_user("lena")
    QueryRun.objects.create(
        token="t1",
        user=mesh.consumer,
        product=mesh.orders,
        port=port,
        sql="select email from sales.customers",
        status="succeeded",
    )
    QueryRun.objects.create(
        token="t2",
        user=lena,
        product=mesh.orders,
        port=port,
        sql="select id from customers limit 5",
        status="succeeded",
    )

    actions.submit_contract(mesh.owner, contract_yaml(customers), port=port, via="test")
    with django_assert_max_num_queries(60):
        result = actions.submit_contract(
            mesh.owner,
            contract_yaml(customers, version="2.0.0", status="proposed", email_type="varchar(50)"),
            via="test",
        )
    entries = {
        (e.kind, e.product.slug if e.product else e.dataset.short_name if e.dataset else e.user.username): (
            e.level,
            e.columns,
        )
        for e in ImpactEntry.objects.filter(report=result.impact).select_related("product", "dataset", "user")
    }
    assert entries[("dataset", "customer_totals")] == ("affected", ["email"])
    assert entries[("dataset", "big_customers")][0] == "affected"  # two hops down the column lineage
    assert entries[("product", "leads")] == ("affected", ["email"])
    assert entries[("grant", "casey")] == ("affected", ["email"])
    assert entries[("lab_user", "lena")] == ("informed", [])
    event = Event.objects.get(type="mesh.contract.breaking_change_proposed")
    assert event.data["affected"] == result.impact.affected_count >= 4
    assert {c["kind"] for c in event.data["consumers"]} >= {"product", "dataset", "grant", "lab_user"}

    # the consumer acknowledges; the producer sees who has
    mine = ImpactEntry.objects.get(report=result.impact, user=mesh.consumer)
    with pytest.raises(PermissionDeniedError):
        actions.acknowledge(lena, mine)
    actions.acknowledge(mesh.consumer, mine)
    assert ImpactEntry.objects.get(pk=mine.pk).acknowledged_by == mesh.consumer
    assert Event.objects.filter(type="mesh.contract.acknowledged").count() == 1
