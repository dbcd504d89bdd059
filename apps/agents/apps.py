from django.apps import AppConfig


class AgentsConfig(AppConfig):
    """AI assistants as consumers: an MCP server over search, products, lineage and the safe query lab.

    It sits on top of every other app (it only reads them and calls their actions), so an agent
    gets exactly the rights of the person whose token it holds.
    """

    name = "apps.agents"
    label = "agents"
