"""Background re-scoring: ids in, idempotent (a recompute of unchanged facts writes nothing)."""

from celery import shared_task


@shared_task(acks_late=True, name="trust.recompute_maturity")
def recompute_maturity(product_ids=None) -> dict:
    from apps.trust.scoring import recompute

    return recompute(product_ids)


@shared_task(acks_late=True, name="trust.sync_harvest_incidents")
def sync_harvest_incidents(source_id: int) -> int:
    from apps.trust.incidents import sync_harvest_incidents as sync

    return sync(source_ids=[source_id])
