"""The MCP server driven by the SDK's own client: over HTTP against a live server, and over stdio."""

import json
import os
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import create_mcp_http_client, streamable_http_client

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = Path(__file__).with_name("tool_schemas.json")


async def _session_http(url: str, token: str, fn):
    async with (
        create_mcp_http_client(headers={"Authorization": f"Bearer {token}"}) as http,
        streamable_http_client(url, http_client=http) as streams,
        ClientSession(streams[0], streams[1]) as session,
    ):
        await session.initialize()
        return await fn(session)


def _run(fn, *args):
    """``anyio.run`` in a thread of its own: the suite's shared Playwright keeps an event loop
    running in the test thread once a browser test has started it."""
    import threading

    out: dict = {}

    def target():
        try:
            out["value"] = anyio.run(fn, *args)
        except BaseException as exc:  # re-raised in the test thread
            out["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(120)
    if "error" in out:
        raise out["error"]
    return out["value"]


def _structured(result):
    assert not result.is_error, result.content
    if result.structured_content is not None:
        return result.structured_content.get("result", result.structured_content)
    return json.loads(result.content[0].text)


def test_http_consumer_searches_reads_and_runs_a_sample_query(agent_mesh, live_server):
    async def walk(session):
        tools = await session.list_tools()
        names = {t.name for t in tools.tools}
        found = _structured(await session.call_tool("search", {"query": "orders"}))
        product = _structured(await session.call_tool("get_data_product", {"slug": "orders"}))
        samples = _structured(await session.call_tool("list_sample_queries", {"slug": "orders"}))
        rows = _structured(
            await session.call_tool(
                "run_query", {"slug": "orders", "port": "orders-tables", "sql": samples["sample_queries"][0]["sql"]}
            )
        )
        refused = await session.call_tool("run_query", {"slug": "leads", "port": "hr", "sql": "SELECT 1"})
        hostile = await session.call_tool(
            "run_query", {"slug": "orders", "port": "orders-tables", "sql": "DROP TABLE sales.orders"}
        )
        resource = await session.read_resource("mesh://products/orders")
        prompt = await session.get_prompt("explore_data_product", {"topic": "orders"})
        return names, tools, found, product, rows, refused, hostile, resource, prompt

    names, tools, found, product, rows, refused, hostile, resource, prompt = _run(
        _session_http, f"{live_server.url}/mcp", agent_mesh.consumer_token, walk
    )
    assert names == {
        "search",
        "get_data_product",
        "get_dataset",
        "get_lineage",
        "list_sample_queries",
        "run_query",
        "request_access",
    }
    assert found["count"] >= 1 and product["slug"] == "orders"
    assert rows["columns"] == ["status", "n"] and rows["rows"]
    assert refused.is_error and "request_access" in refused.content[0].text
    assert hostile.is_error
    assert json.loads(resource.contents[0].text)["slug"] == "orders"
    assert "search" in prompt.messages[0].content.text
    schemas = {t.name: {"description": t.description, "input": t.input_schema} for t in tools.tools}
    if os.environ.get("MESH_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(schemas, indent=2, sort_keys=True) + "\n")
    assert schemas == json.loads(SNAPSHOT.read_text()), "tool schemas changed: review, then MESH_UPDATE_SNAPSHOTS=1"


@pytest.mark.parametrize("header", [None, "Bearer nope", "expired"])
def test_http_refuses_missing_unknown_and_expired_tokens(agent_mesh, live_server, header):
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"{live_server.url}/mcp",
        data=b'{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}',
        headers={"Content-Type": "application/json", "Accept": "application/json, text/event-stream"},
    )
    if header == "expired":
        request.add_header("Authorization", f"Bearer {agent_mesh.expired_raw}")
    elif header:
        request.add_header("Authorization", header)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401
    assert json.loads(refused.value.read())["errors"][0]["code"] in (
        "not_authenticated",
        "invalid_token",
        "authentication_failed",
    )


def _stdio_env(**extra) -> dict:
    """The command's environment: ordinary settings pointed at the test database."""
    from django.conf import settings

    server = os.environ.get("MESH_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/x").rsplit("/", 1)[0]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mesh_catalog.settings",
        "DATABASE_URL": f"{server}/{settings.DATABASES['default']['NAME']}",
        **extra,
    }


def test_stdio_server_answers_as_the_token_holder(agent_mesh, transactional_db):
    env = _stdio_env(MESH_TOKEN=agent_mesh.consumer_token)
    params = StdioServerParameters(
        command=sys.executable, args=[str(ROOT / "manage.py"), "mcp"], env=env, cwd=str(ROOT)
    )

    async def walk():
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            return _structured(await session.call_tool("get_data_product", {"slug": "orders"}))

    product = _run(walk)
    assert product["slug"] == "orders" and product["ports"]


def test_stdio_refuses_without_a_valid_token(transactional_db):
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "mcp", "--token", "nope"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=_stdio_env(),
    )
    assert done.returncode != 0 and "Invalid, expired or revoked token" in done.stderr
