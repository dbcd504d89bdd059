"""Issue 12, item 1: access follows the dataset, not the port it is sent through.

The attack: the owner of a public product binds another product's restricted table to
their own output port (``setPortDatasets``); any consumer then reads it through that port
without a grant. Against the real warehouse of the lab tests.
"""

import json

import pytest
from django.test import Client

from apps.catalog import actions
from apps.catalog.models import Port
from apps.core.actions import create_token
from apps.core.errors import ActionError, PermissionDeniedError
from apps.core.testing import SYSTEM
from apps.governance import actions as governance
from apps.lab import runner
from apps.lab.models import RunStatus

pytestmark = pytest.mark.django_db

SET_DATASETS = """
mutation($id: ID!, $datasets: [DatasetRefInput!]!) {
  setPortDatasets(id: $id, datasets: $datasets) { port { name } errors { field code message } }
}"""


@pytest.fixture
def hr(lab):
    """A restricted product publishing secret.salaries, and Leads' (internal) output port."""
    product = actions.create_product(
        SYSTEM, domain=lab.marketing, slug="hr", name="HR", lifecycle="published", classification="restricted"
    )
    hr_port = actions.create_port(
        SYSTEM, product, name="salaries", direction="output", protocol="postgres", datasets=[lab.salaries_ds]
    )
    leads_port = actions.create_port(SYSTEM, lab.leads, name="leads-tables", direction="output", protocol="postgres")
    return product, hr_port, leads_port


def _post(user, query, variables):
    _, raw = create_token(user, name="t")
    response = Client().post(
        "/graphql",
        json.dumps({"query": query, "variables": variables}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 200
    return response.json()


def test_owner_cannot_publish_another_products_restricted_dataset_on_their_port(lab, hr):
    _, _, leads_port = hr
    body = _post(
        lab.other_owner,
        SET_DATASETS,
        {
            "id": str(leads_port.pk),
            "datasets": [{"namespace": lab.salaries_ds.namespace, "name": lab.salaries_ds.name}],
        },
    )
    errors = body["data"]["setPortDatasets"]["errors"]
    assert errors and errors[0]["code"] == "published_by_another_product" and errors[0]["field"] == "datasets"
    assert "HR" in errors[0]["message"] and "input port" in errors[0]["message"]
    assert list(Port.objects.get(pk=leads_port.pk).datasets.all()) == []


def test_consuming_it_through_an_input_port_is_allowed(lab, hr):
    port = actions.create_port(
        lab.other_owner, lab.leads, name="hr-in", direction="input", datasets=[lab.salaries_ds], protocol="postgres"
    )
    assert list(port.datasets.all()) == [lab.salaries_ds]


def test_turning_an_input_port_into_an_output_rechecks_its_datasets(lab, hr):
    port = actions.create_port(lab.other_owner, lab.leads, name="hr-in", direction="input", datasets=[lab.salaries_ds])
    with pytest.raises(ActionError, match="published by HR"):
        actions.update_port(lab.other_owner, port, direction="output")


def test_the_publishers_owners_may_publish_it_again(lab, hr):
    product, _, _ = hr
    actions.add_owner(SYSTEM, product, user=lab.owner)
    port = actions.create_port(
        lab.owner, lab.orders, name="also-salaries", direction="output", datasets=[lab.salaries_ds]
    )
    assert list(port.datasets.all()) == [lab.salaries_ds]


def test_runner_checks_grants_per_table_whichever_port_the_query_goes_through(lab, hr):
    _, hr_port, leads_port = hr
    # The bypass as it exists in a catalog written before the fix (or by a system import).
    actions.set_port_datasets(SYSTEM, leads_port, [lab.salaries_ds])
    result = runner.run_query(lab.consumer, leads_port, "SELECT employee, salary FROM secret.salaries")
    assert result.run.status == RunStatus.REFUSED and result.rows == []
    assert "published by HR" in result.error and "request access" in result.error

    # Through HR's own port the port-level check already refuses.
    with pytest.raises(PermissionDeniedError):
        runner.run_query(lab.consumer, hr_port, "SELECT * FROM secret.salaries")

    # A grant on HR's port opens the table through either port.
    request = governance.request_access(lab.consumer, hr_port, reason="payroll analysis")
    governance.approve_request(SYSTEM, request, comment="ok")
    via_leads = runner.run_query(lab.consumer, leads_port, "SELECT employee FROM secret.salaries ORDER BY 1")
    assert via_leads.ok, via_leads.error
    assert via_leads.rows == [["ada"], ["bob"]]


def test_a_public_table_on_the_same_port_needs_no_grant(lab, hr):
    result = runner.run_query(lab.consumer, lab.port, "SELECT count(*) FROM sales.orders")
    assert result.ok and result.rows == [[1500]]


def test_per_table_check_costs_a_bounded_number_of_queries(lab, hr, django_assert_max_num_queries):
    from apps.lab.access import check_table_access
    from apps.lab.sql_checks import parse_select

    _, _, leads_port = hr
    actions.set_port_datasets(SYSTEM, leads_port, [lab.salaries_ds, lab.orders_ds, lab.items_ds])
    ast = parse_select("SELECT * FROM secret.salaries, sales.orders o JOIN sales.order_items i USING (order_id)")
    port = Port.objects.get(pk=leads_port.pk)
    with django_assert_max_num_queries(5), pytest.raises(runner.QueryRefused):
        check_table_access(lab.consumer, port, ast)
