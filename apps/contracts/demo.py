"""Demo data: a contract on the orders product's table port, drafted from what was harvested.

Idempotent and respectful of people's edits: a port that already has a contract (the demo's
or anybody's) is left alone; a port whose datasets were not harvested yet gets none.
"""

from django.utils import timezone

from apps.catalog.models import Port
from apps.contracts.actions import submit_contract
from apps.contracts.checks import check_datasets
from apps.contracts.drafts import draft_yaml
from apps.contracts.models import CheckRun, Contract
from apps.core.actors import SystemActor

DEMO_PORTS = [("orders", "orders-tables"), ("customer-lifetime-value", "clv-table")]
ACTOR = SystemActor("demo loader")


def load_demo_data(stdout) -> None:
    created = 0
    for product, name in DEMO_PORTS:
        port = Port.objects.select_related("product__domain").filter(product__slug=product, name=name).first()
        if port is None or Contract.objects.filter(port=port).exists():
            continue
        if not port.datasets.filter(removed_at__isnull=True, columns__isnull=False).exists():
            continue
        text = draft_yaml(port).replace("status: draft", "status: active", 1)
        submit_contract(ACTOR, text, port=port, via="demo")
        # judged now, as the next harvest would: the demo shows verdicts, not "not checked yet"
        datasets = list(port.datasets.values_list("pk", flat=True))
        check_datasets(datasets, trigger=CheckRun.Trigger.MANUAL, now=timezone.now())
        created += 1
    stdout.write(f"contracts: {created} demo contract(s) drafted from the harvest\n")
