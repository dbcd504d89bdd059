"""A small mesh with a Glue table and an S3-located dataset that products publish, and files."""

from datetime import date

import pytest

from apps.catalog import actions
from apps.catalog.testing import make_mesh
from apps.core.testing import SYSTEM
from apps.costs.samples import csv_text, sample_lines

GLUE_NS = "arn:aws:glue:eu-west-1:123456789012"
GLUE_ARN = f"{GLUE_NS}:table/sales/orders"
MONTHS = [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]


@pytest.fixture
def mesh(db):
    m = make_mesh()
    m.billing = actions.create_product(SYSTEM, domain=m.emea, slug="billing", name="Billing")
    glue = actions.register_dataset(
        SYSTEM, namespace=GLUE_NS, name="table/sales/orders", platform="glue", size_bytes=3_000
    )
    lake = actions.register_dataset(
        SYSTEM,
        namespace="s3://lake",
        name="leads/raw",
        platform="s3",
        properties={"location": "s3://mesh-lake/leads/raw/"},
        size_bytes=1_000,
    )
    actions.create_port(SYSTEM, m.orders, name="tables", direction="output", datasets=[glue])
    actions.create_port(SYSTEM, m.leads, name="files", direction="output", datasets=[lake])
    return m


@pytest.fixture
def lines():
    return list(
        sample_lines(
            products=["orders", "leads", "billing"],
            domains=["emea", "marketing"],
            resources=[GLUE_ARN, "arn:aws:s3:::mesh-lake"],
            months=MONTHS,
            count=400,
            currencies=("EUR", "USD"),
        )
    )


@pytest.fixture
def focus_text(lines):
    return csv_text(lines, "focus")
