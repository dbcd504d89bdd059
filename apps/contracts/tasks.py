"""Celery tasks: the scheduled quality rules of contracts (through the lab's read-only runner).

``run_all_quality_checks`` (Celery beat, hourly; ``CELERY_BEAT_SCHEDULE`` in settings) queues
one ``run_contract_quality`` per contract with an active version. Each takes an id, re-reads
the contract, and appends its results; running it twice appends twice, changes nothing else.
"""

from celery import shared_task

from apps.contracts.models import Contract, ContractStatus


@shared_task(acks_late=True, reject_on_worker_lost=True, name="apps.contracts.tasks.run_contract_quality")
def run_contract_quality(contract_id: int) -> int:
    from apps.contracts.quality import run_quality_checks

    contract = Contract.objects.select_related("port__product").filter(pk=contract_id).first()
    if contract is None:
        return 0
    return len(run_quality_checks(contract))


@shared_task(acks_late=True, name="apps.contracts.tasks.run_all_quality_checks")
def run_all_quality_checks() -> int:
    ids = list(
        Contract.objects.filter(port__isnull=False, versions__status=ContractStatus.ACTIVE)
        .values_list("pk", flat=True)
        .distinct()
    )
    for pk in ids:
        run_contract_quality.delay(pk)
    return len(ids)
