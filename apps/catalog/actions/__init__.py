"""Every write to the catalog's business metadata. Pages, GraphQL, REST, YAML apply and
the demo loader all call these; each checks permission, validates, writes, records
history and notifies listeners after commit."""

from apps.catalog.actions.datasets import add_manual_lineage, register_dataset
from apps.catalog.actions.domains import create_domain, delete_domain, update_domain
from apps.catalog.actions.ownership import add_owner, remove_owner
from apps.catalog.actions.ports import create_port, delete_port, set_port_datasets, update_port
from apps.catalog.actions.products import create_product, delete_product, update_product
from apps.catalog.actions.teams import create_team, set_team_members, update_team

__all__ = [
    "add_manual_lineage",
    "add_owner",
    "create_domain",
    "create_port",
    "create_product",
    "create_team",
    "delete_domain",
    "delete_port",
    "delete_product",
    "register_dataset",
    "remove_owner",
    "set_port_datasets",
    "set_team_members",
    "update_domain",
    "update_port",
    "update_product",
    "update_team",
]
