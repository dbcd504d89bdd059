"""The ``contract_met`` product fact (``apps.core.facts``): are a product's active contracts met?

A product none of whose output ports has an active contract version is left out: the
question does not apply to it. Otherwise it passes unless a dataset's latest verdict
against the contract is *violated*; the evidence names those datasets. Two queries for
any number of products.
"""

from django.urls import reverse

from apps.contracts.judge import VIOLATED
from apps.contracts.models import Contract, ContractStatus, DatasetVerdict
from apps.core.facts import Fact

EVIDENCE_SHOWN = 5


def contract_met(product_ids: list[int]) -> dict[int, Fact]:
    contracts = dict(
        Contract.objects.filter(port__product_id__in=product_ids, versions__status=ContractStatus.ACTIVE)
        .values_list("pk", "port__product_id")
        .distinct()
    )
    if not contracts:
        return {}
    violations: dict[int, list[tuple[str, str, str]]] = {}
    for contract_id, dataset, name, odcs_id, slug in (
        DatasetVerdict.objects.filter(contract_id__in=contracts, verdict=VIOLATED)
        .order_by("contract_id", "dataset__name")
        .values_list(
            "contract_id", "dataset__name", "contract__name", "contract__odcs_id", "contract__port__product__slug"
        )
    ):
        violations.setdefault(contracts[contract_id], []).append((dataset, name or odcs_id, slug))
    facts = {}
    for product_id in set(contracts.values()):
        broken = violations.get(product_id, [])
        evidence = [
            {
                "label": f"{dataset} violates contract {contract}",
                "url": reverse("catalog:product_detail", args=[slug]) + "#contract",
            }
            for dataset, contract, slug in broken[:EVIDENCE_SHOWN]
        ]
        facts[product_id] = Fact(not broken, evidence, len(broken))
    return facts
