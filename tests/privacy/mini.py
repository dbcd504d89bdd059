"""A small catalog with personal data, lineage and foreign keys, built through actions."""

from types import SimpleNamespace

from apps.catalog import actions
from apps.catalog.models import ColumnLineageEdge, DatasetConstraint
from apps.core.testing import SYSTEM

NS = "postgres://127.0.0.1:5432"


def build_mini(mesh, *, detect: bool = True, namespace: str = NS, database: str = "shop", source=None):
    def mk(name, cols, **kw):
        return actions.register_dataset(
            SYSTEM,
            namespace=namespace,
            name=f"{database}.{name}",
            platform="postgres",
            columns=cols,
            source=source,
            **kw,
        )

    customers = mk(
        "crm.customers",
        [
            {"name": "customer_id", "type": "integer", "primary_key": True},
            {"name": "email", "type": "text"},
            {"name": "first_name", "type": "text"},
            {"name": "phone", "type": "text"},
            {"name": "city", "type": "text"},
        ],
        properties={"retention": "P2Y"},
    )
    orders = mk(
        "sales.orders",
        [
            {"name": "order_id", "type": "integer", "primary_key": True},
            {"name": "buyer", "type": "integer"},
            {"name": "amount", "type": "numeric(10,2)"},
            {"name": "email_sent", "type": "boolean"},
        ],
    )
    emails = mk(
        "marts.customer_emails",
        [
            {"name": "subject_ref", "type": "integer"},
            {"name": "contact", "type": "text"},
            {"name": "email_hash", "type": "text"},
        ],
    )
    summary = mk("marts.summary", [{"name": "city", "type": "text"}, {"name": "total", "type": "numeric"}])
    DatasetConstraint.objects.create(
        dataset=orders,
        name="orders_buyer_fkey",
        kind="foreign_key",
        columns=["buyer"],
        referenced_dataset=customers,
        referenced_columns=["customer_id"],
    )
    col = lambda d, n: d.columns.get(name=n)  # noqa: E731
    ColumnLineageEdge.objects.create(
        upstream=col(customers, "customer_id"),
        downstream=col(emails, "subject_ref"),
        evidence="dbt",
        transformation="identity",
    )
    ColumnLineageEdge.objects.create(
        upstream=col(customers, "email"), downstream=col(emails, "contact"), evidence="dbt", transformation="identity"
    )
    ColumnLineageEdge.objects.create(
        upstream=col(customers, "email"),
        downstream=col(emails, "email_hash"),
        evidence="dbt",
        transformation="expression",
    )
    actions.add_manual_lineage(SYSTEM, customers, summary)
    port = actions.create_port(
        SYSTEM,
        mesh.orders,
        name="customer-tables",
        direction="output",
        protocol="postgres",
        datasets=[customers, emails],
    )
    leads_port = actions.create_port(
        SYSTEM, mesh.leads, name="order-tables", direction="output", protocol="postgres", datasets=[orders, summary]
    )
    if detect:
        from apps.privacy.actions import detect_pii

        detect_pii(trigger="test")
    return SimpleNamespace(
        customers=customers,
        orders=orders,
        emails=emails,
        summary=summary,
        port=port,
        leads_port=leads_port,
        col=col,
    )
