"""Access requests and sample queries through GraphQL, on a schema composed like the root one."""

import graphene
import pytest
from django.test import RequestFactory

from apps.catalog import actions as catalog_actions
from apps.catalog.testing import make_mesh
from apps.core.testing import SYSTEM
from apps.governance.graphql import GovernanceMutation, GovernanceQuery
from apps.lab.graphql import LabMutation, LabQuery

pytestmark = pytest.mark.django_db


class Query(GovernanceQuery, LabQuery, graphene.ObjectType):
    pass


class Mutation(GovernanceMutation, LabMutation, graphene.ObjectType):
    pass


schema = graphene.Schema(query=Query, mutation=Mutation)


def run(user, query, **variables):
    request = RequestFactory().post("/graphql")
    request.user = user
    result = schema.execute(query, context_value=request, variable_values=variables)
    assert result.errors is None, result.errors
    return result.data


@pytest.fixture
def mesh():
    mesh = make_mesh()
    catalog_actions.update_product(SYSTEM, mesh.orders, classification="restricted")
    mesh.port = catalog_actions.create_port(
        SYSTEM, mesh.orders, name="orders-tables", direction="output", protocol="postgres"
    )
    return mesh


REQUEST = "mutation($port: ID!, $reason: String!) { requestAccess(port: $port, reason: $reason) { accessRequest { id status } errors { field code message } } }"
LIST = "{ accessRequests { id status reason decisionComment requester { username } decidedBy { username } port { name } } }"


def test_request_approve_and_read_back_through_graphql(mesh, django_assert_max_num_queries):
    created = run(mesh.consumer, REQUEST, port=str(mesh.port.pk), reason="Building the churn model.")["requestAccess"]
    assert created["errors"] == [] and created["accessRequest"]["status"] == "pending"
    rid = created["accessRequest"]["id"]
    assert run(mesh.other_owner, LIST)["accessRequests"] == []  # not theirs, not their product
    refused = run(mesh.consumer, "mutation($id: ID!) { approveAccessRequest(id: $id) { errors { code } } }", id=rid)
    assert refused["approveAccessRequest"]["errors"] == [{"code": "permission_denied"}]
    approved = run(
        mesh.owner,
        'mutation($id: ID!) { approveAccessRequest(id: $id, comment: "ok") { accessRequest { status } grant { isActive user { username } } errors { code } } }',
        id=rid,
    )
    assert approved["approveAccessRequest"] == {
        "accessRequest": {"status": "approved"},
        "grant": {"isActive": True, "user": {"username": "casey"}},
        "errors": [],
    }
    with django_assert_max_num_queries(6):
        mine = run(mesh.consumer, LIST)["accessRequests"]
    assert mine == [
        {
            "id": rid,
            "status": "approved",
            "reason": "Building the churn model.",
            "decisionComment": "ok",
            "requester": {"username": "casey"},
            "decidedBy": {"username": "olivia"},
            "port": {"name": "orders-tables"},
        }
    ]
    grants = run(mesh.consumer, "{ myAccessGrants { isActive port { name } } }")["myAccessGrants"]
    assert grants == [{"isActive": True, "port": {"name": "orders-tables"}}]


def test_deny_without_comment_is_a_typed_error(mesh):
    rid = run(mesh.consumer, REQUEST, port=str(mesh.port.pk), reason="Building the churn model.")["requestAccess"][
        "accessRequest"
    ]["id"]
    denied = run(
        mesh.owner, 'mutation($id: ID!) { denyAccessRequest(id: $id, comment: "") { errors { field code } } }', id=rid
    )
    assert denied["denyAccessRequest"]["errors"] == [{"field": "comment", "code": "required"}]


def test_sample_query_mutations_validate_sql_and_list_with_starters(mesh):
    bad = run(
        mesh.owner,
        'mutation($port: ID!) { createSampleQuery(port: $port, title: "x", sql: "DROP TABLE t") { errors { field code } } }',
        port=str(mesh.port.pk),
    )
    assert bad["createSampleQuery"]["errors"] == [{"field": "sql", "code": "not_select"}]
    ok = run(
        mesh.owner,
        'mutation($port: ID!) { createSampleQuery(port: $port, title: "One", sql: "SELECT 1") { sampleQuery { id origin } errors { code } } }',
        port=str(mesh.port.pk),
    )
    assert ok["createSampleQuery"]["sampleQuery"]["origin"] == "curated"
    listed = run(
        mesh.owner,  # the product is restricted: its curated queries are hidden from consumers (privacy policy)
        "query($port: ID!) { sampleQueries(port: $port) { title origin problems } }",
        port=str(mesh.port.pk),
    )
    assert listed["sampleQueries"] == [{"title": "One", "origin": "curated", "problems": []}]
