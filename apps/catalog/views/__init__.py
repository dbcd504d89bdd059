"""The catalog's pages, one module per page family. Edits go through ``apps.catalog.actions``."""

from apps.catalog.views.datasets import dataset_detail
from apps.catalog.views.domains import domain_detail
from apps.catalog.views.history import product_diff, product_history, product_version
from apps.catalog.views.home import home
from apps.catalog.views.lineage import lineage
from apps.catalog.views.port_edit import dataset_picker, port_delete, port_edit, port_new, port_picker
from apps.catalog.views.product_edit import markdown_preview, owner_remove, owners_edit, product_edit
from apps.catalog.views.products import (
    dataset_columns,
    product_detail,
    product_more_ports,
    product_quality,
    product_schema,
)

__all__ = [
    "dataset_columns",
    "dataset_detail",
    "dataset_picker",
    "domain_detail",
    "home",
    "lineage",
    "markdown_preview",
    "owner_remove",
    "owners_edit",
    "port_delete",
    "port_edit",
    "port_new",
    "port_picker",
    "product_detail",
    "product_diff",
    "product_more_ports",
    "product_edit",
    "product_history",
    "product_quality",
    "product_schema",
    "product_version",
]
