"""The demo's billing: twelve months of a generated FOCUS export, imported once.

Idempotent: the file is generated from a fixed seed for the last twelve months, so its
digest is the same until the month turns; an import with that digest is not repeated.
"""

import hashlib
import io

from apps.catalog.models import DataProduct, Domain
from apps.core.actors import SystemActor
from apps.costs.actions import import_costs
from apps.costs.models import CostImport, ImportStatus
from apps.costs.reports import months_back
from apps.costs.samples import csv_text, sample_lines

DEMO_SOURCE = "demo-cloud"


def demo_billing_csv() -> str:
    products = list(DataProduct.objects.order_by("slug").values_list("slug", flat=True))
    domains = list(Domain.objects.order_by("slug").values_list("slug", flat=True))
    if not products:
        return ""
    lines = sample_lines(
        products=products, domains=domains, resources=[], months=months_back(12), count=3000, seed=2026
    )
    return csv_text(lines, "focus")


def load_demo_data(stdout) -> None:
    text = demo_billing_csv()
    if not text:
        return
    data = text.encode()
    if CostImport.objects.filter(sha256=hashlib.sha256(data).hexdigest(), status=ImportStatus.SUCCEEDED).exists():
        return
    result = import_costs(
        SystemActor("demo"), io.BytesIO(data), fmt="focus", source_name=DEMO_SOURCE, file_name="demo-focus.csv"
    )
    stdout.write(f"Demo billing: {result.line_count} FOCUS lines imported ({result.status}).")
