"""The agent tools as functions: same rights, refusals and limits as a person in the lab."""

import pytest

from apps.agents import tools
from apps.lab.models import QueryRun


def test_consumer_finds_reads_and_queries_orders(agent_mesh):
    user = agent_mesh.consumer
    found = tools.search(user, "orders")
    assert found["results"] and found["results"][0]["url"]
    product = tools.get_data_product(user, "orders")
    assert product["contract"] == "no contract" and product["open_incidents"] == []
    assert "maturity" in product  # scored by the trust app when it has run
    port = next(p for p in product["ports"] if p["name"] == "orders-tables")
    assert port["you_can_query"] is True and port["datasets"]
    samples = tools.list_sample_queries(user, "orders")["sample_queries"]
    result = tools.run_query(user, "orders", "orders-tables", samples[0]["sql"])
    assert result["columns"] == ["status", "n"] and result["rows"]
    run = QueryRun.objects.get(token=result["query_run"])
    assert run.client == "agent" and run.user == user


def test_restricted_port_is_refused_with_how_to_request_access(agent_mesh):
    with pytest.raises(tools.ToolError) as refused:
        tools.run_query(agent_mesh.consumer, "leads", "hr", "SELECT * FROM secret.salaries")
    assert "request_access" in str(refused.value)
    request = tools.request_access(agent_mesh.consumer, "leads", "hr", "Headcount planning")
    assert request["status"] == "pending"


@pytest.mark.parametrize(
    "sql",
    ["DELETE FROM sales.orders", "SELECT pg_terminate_backend(1)", "SELECT 1; SELECT 2", "COPY sales.orders TO STDOUT"],
)
def test_hostile_sql_is_refused_exactly_as_in_the_lab(agent_mesh, sql):
    with pytest.raises(tools.ToolError):
        tools.run_query(agent_mesh.consumer, "orders", "orders-tables", sql)


def test_dataset_and_lineage_are_compact_and_cite_urls(agent_mesh):
    ds = tools.get_dataset(agent_mesh.consumer, agent_mesh.orders_ds.pk)
    assert [c["name"] for c in ds["columns"]][:2] == ["order_id", "customer_id"]
    assert ds["url"].endswith(f"/datasets/{agent_mesh.orders_ds.pk}/")
    lineage = tools.get_lineage(agent_mesh.consumer, agent_mesh.orders_ds.pk, direction="down", depth=9)
    assert lineage["focus"] == agent_mesh.orders_ds.pk
    with pytest.raises(tools.ToolError):
        tools.get_lineage(agent_mesh.consumer, agent_mesh.orders_ds.pk, direction="sideways")


def test_unknown_things_are_clear_errors(agent_mesh):
    with pytest.raises(tools.ToolError, match="use search"):
        tools.get_data_product(agent_mesh.consumer, "nope")
    with pytest.raises(tools.ToolError, match="No output port"):
        tools.run_query(agent_mesh.consumer, "orders", "nope", "SELECT 1")
