"""AI assistants as consumers: an MCP server over search, products, lineage and the safe query lab.

Beyond the common anatomy (README "Layout"):
    tools.py        what an agent can do, as plain functions of (user, arguments) returning compact dicts
    server.py       the MCP server (official SDK): tools, resources, the discovery prompt
    http.py         MCP over streamable HTTP at /mcp inside the WSGI web process, behind bearer tokens
"""
