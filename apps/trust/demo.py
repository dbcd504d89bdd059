"""The trust part of the demo: every product scored, and one incident to show the flow.

``load_demo`` calls ``load_demo_data(stdout)`` after the catalog's, harvest's and lab's
demos, so the scores reflect the harvested tests and lineage. Idempotent: a recompute of
unchanged facts writes nothing, and the demo incident is opened once — if someone
resolved it, it stays resolved.
"""

from apps.catalog import actions as catalog_actions
from apps.catalog.models import DataProduct, Domain
from apps.core.actors import SystemActor
from apps.trust import actions
from apps.trust.models import Incident, ProductMaturity
from apps.trust.scoring import recompute

DEMO = SystemActor("demo-loader")
DEMO_INCIDENT = {
    "product": "orders",
    "title": "Yesterday's EMEA orders arrived late",
    "severity": "minor",
    "message": "The nightly load of the shop database finished at 07:40 instead of 05:00; "
    "totals for yesterday were incomplete until then.",
}


# A product nobody looks after, so that the leaderboard shows the bottom of the scale too.
LEGACY = {"slug": "legacy-crm-extract", "name": "Legacy CRM extract", "domain": "customer", "lifecycle": "deprecated"}


def _legacy_product() -> None:
    """Created once: afterwards it is the owners' (an improvement someone makes stays)."""
    if DataProduct.objects.filter(slug=LEGACY["slug"]).exists():
        return
    domain = Domain.objects.filter(slug=LEGACY["domain"]).first() or Domain.objects.order_by("path").first()
    if domain is None:
        return
    product = catalog_actions.create_product(
        DEMO, domain=domain, slug=LEGACY["slug"], name=LEGACY["name"], lifecycle=LEGACY["lifecycle"], via="demo"
    )
    catalog_actions.create_port(DEMO, product, name="nightly-dump", direction="output", via="demo")


def load_demo_data(stdout) -> None:
    _legacy_product()
    product = DataProduct.objects.filter(slug=DEMO_INCIDENT["product"]).select_related("domain").first()
    if product is not None and not Incident.objects.filter(product=product, cause_key="demo").exists():
        fields = {k: v for k, v in DEMO_INCIDENT.items() if k != "product"}
        actions.open_incident(DEMO, product, cause_key="demo", via="demo", **fields)
    counts = recompute()
    levels = sorted(ProductMaturity.objects.values_list("level", flat=True))
    spread = ", ".join(f"L{lv}: {levels.count(lv)}" for lv in sorted(set(levels)))
    stdout.write(f"Trust: scored {counts['products']} products ({counts['changed']} changed; {spread}).")
