"""The MCP server: the tools of ``tools.py``, product and dataset resources, a discovery prompt.

Each call runs as the user whose personal access token opened the connection (stdio: the
``--token`` given to the command; HTTP: the request's ``Authorization: Bearer``), held in a
context variable for the duration of the request. Tool functions are sync Django code, run in
a worker thread (``sync_to_async``) so the protocol's event loop never touches the ORM.
"""

import contextvars
import json
from typing import Any

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from apps.agents import tools

current_user: contextvars.ContextVar = contextvars.ContextVar("mesh_mcp_user", default=None)

INSTRUCTIONS = (
    "Mesh Catalog is a data-mesh catalog. Find data products with `search`, read one with "
    "`get_data_product` (owners, ports, documentation, trust signals), inspect a table with "
    "`get_dataset`, follow `get_lineage`, start from `list_sample_queries`, and run read-only SQL "
    "on an output port with `run_query`. Restricted ports need an approved grant: use "
    "`request_access` and tell the user an owner must approve. Cite the `url` fields you used."
)


def _call(fn, *args, **kwargs):
    """Run a tool function as the current user in a worker thread; refusals become tool errors."""

    def run():
        close_old_connections()
        try:
            return fn(current_user.get(), *args, **kwargs)
        except tools.ToolError as exc:
            raise ToolError(str(exc)) from None  # the SDK hands this message to the model
        finally:
            close_old_connections()

    return sync_to_async(run, thread_sensitive=True)()


def build_server() -> MCPServer:
    server = MCPServer(name="mesh-catalog", title="Mesh Catalog", instructions=INSTRUCTIONS, version="1")

    @server.tool(
        description="Ranked catalog search (products, datasets, columns) with facets. kind: product|dataset|column."
    )
    async def search(query: str, kind: str | None = None, domain: str | None = None, page: int = 1) -> dict[str, Any]:
        return await _call(tools.search, query, kind=kind, domain=domain, page=page)

    @server.tool(
        description="A data product by slug: owners, ports with their datasets, documentation, classification, "
        "whether you may query each output port, and trust signals (maturity, contract, incidents) when known."
    )
    async def get_data_product(slug: str) -> dict[str, Any]:
        return await _call(tools.get_data_product, slug)

    @server.tool(description="A dataset by id: columns with types, keys and descriptions, and who publishes it.")
    async def get_dataset(dataset_id: int) -> dict[str, Any]:
        return await _call(tools.get_dataset, dataset_id)

    @server.tool(description="Table lineage around a dataset: direction up|down|both, depth 1–5.")
    async def get_lineage(dataset_id: int, direction: str = "both", depth: int = 2) -> dict[str, Any]:
        return await _call(tools.get_lineage, dataset_id, direction=direction, depth=depth)

    @server.tool(description="Curated sample queries of a product's output ports: a good first query.")
    async def list_sample_queries(slug: str) -> dict[str, Any]:
        return await _call(tools.list_sample_queries, slug)

    @server.tool(
        description="Run one read-only SELECT on a product's output port through the query lab (timeouts, row "
        "caps, grants and masking apply; at most 50 rows come back). Logged in the user's query history."
    )
    async def run_query(slug: str, port: str, sql: str) -> dict[str, Any]:
        return await _call(tools.run_query, slug, port, sql)

    @server.tool(description="Ask a product's owners for access to an output port, with a reason they will read.")
    async def request_access(slug: str, port: str, reason: str) -> dict[str, Any]:
        return await _call(tools.request_access, slug, port, reason)

    @server.resource("mesh://products/{slug}", mime_type="application/json", description="A data product.")
    async def product_resource(slug: str) -> str:
        return json.dumps(await _call(tools.get_data_product, slug), default=str)

    @server.resource("mesh://datasets/{dataset_id}", mime_type="application/json", description="A dataset.")
    async def dataset_resource(dataset_id: str) -> str:
        return json.dumps(await _call(tools.get_dataset, int(dataset_id)), default=str)

    @server.prompt(description="Explore a data product: discovery, then trust, then a first query.")
    def explore_data_product(topic: str) -> str:
        return (
            f"I need data about {topic!r}. 1) Use `search` to find the best data product and say why. "
            "2) Read it with `get_data_product`: who owns it, its lifecycle and classification, and any "
            "maturity, contract or incident signals — tell me whether I can trust it. 3) Pick an output "
            "port I may query, use `list_sample_queries`, run one with `run_query`, and show the rows. If "
            "access is needed, offer to `request_access`. Cite the catalog URLs you used."
        )

    return server


_server: MCPServer | None = None


def get_server() -> MCPServer:
    global _server
    if _server is None:
        _server = build_server()
    return _server
