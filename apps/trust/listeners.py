"""Keeping scores current: what to re-score when catalog objects change.

``apps.core.hooks`` calls ``on_objects_changed(model, pks)`` after a write commits. Each
known model maps, in one query, to the products whose score it can move (a dataset to
the products whose ports expose or consume it; a domain ownership to every product of
the domain's subtree). A harvest therefore re-scores only the products of the datasets
it changed. Small sets are scored at once in-process; big ones go to Celery in chunks.
Changed datasets also refresh their measured freshness and their automatic incidents.
"""

import logging

from django.db.models import Q

log = logging.getLogger(__name__)

SYNC_LIMIT = 200  # products re-scored in the committing process
CHUNK = 2000  # products per background task


def _products_of_datasets(pks):
    from apps.catalog.models import PortDataset
    from apps.core.lookups import AnyOf

    return PortDataset.objects.filter(AnyOf("dataset_id", pks)).values_list("port__product_id", flat=True)


def _products_of_domains(pks):
    from apps.catalog.models import DataProduct, Domain

    paths = list(Domain.objects.filter(pk__in=pks).values_list("path", flat=True))
    if not paths:
        return []
    q = Q()
    for path in paths:
        q |= Q(domain__path__startswith=path)
    return DataProduct.objects.filter(q).values_list("pk", flat=True)


def _products_of_ownerships(pks):
    from apps.catalog.models import Ownership

    rows = list(Ownership.objects.filter(pk__in=pks).values_list("product_id", "domain_id"))
    products = [p for p, _ in rows if p]
    domains = [d for _, d in rows if d]
    return products + list(_products_of_domains(domains)) if domains else products


def _products_of_ports(pks):
    from apps.catalog.models import Port

    return Port.objects.filter(pk__in=pks).values_list("product_id", flat=True)


def _products_of_sample_queries(pks):
    from apps.lab.models import SampleQuery

    rows = SampleQuery.objects.filter(pk__in=pks).values_list("port__product_id", "dataset_id")
    products, datasets = set(), set()
    for product_id, dataset_id in rows:
        if product_id:
            products.add(product_id)
        elif dataset_id:
            datasets.add(dataset_id)
    return list(products) + (list(_products_of_datasets(datasets)) if datasets else [])


def _products_of_incidents(pks):
    from apps.trust.models import Incident

    return Incident.objects.filter(pk__in=pks).values_list("product_id", flat=True)


def _products_of_grants(model):
    def resolve(pks):
        return model.objects.filter(pk__in=pks).values_list("port__product_id", flat=True)

    return resolve


def resolvers() -> dict:
    from apps.governance.models import AccessGrant, AccessRequest

    return {
        "catalog.DataProduct": lambda pks: pks,
        "catalog.Dataset": _products_of_datasets,
        "catalog.Domain": _products_of_domains,
        "catalog.Ownership": _products_of_ownerships,
        "catalog.Port": _products_of_ports,
        "lab.SampleQuery": _products_of_sample_queries,
        "trust.Incident": _products_of_incidents,
        "governance.AccessGrant": _products_of_grants(AccessGrant),
        "governance.AccessRequest": _products_of_grants(AccessRequest),
    }


_rubric_checked: set[str] = set()


def rescore_all_if_the_rubric_changed() -> bool:
    """Once per process and rubric: scores computed with another rubric are recomputed, all of them."""
    from apps.trust.models import ProductMaturity
    from apps.trust.rubric import get_rubric

    digest = get_rubric().digest
    if digest in _rubric_checked:
        return False
    _rubric_checked.add(digest)
    if not ProductMaturity.objects.exclude(rubric_digest=digest).exists():
        return False
    from apps.trust.tasks import recompute_maturity

    recompute_maturity.delay(None)
    return True


def affected_products(model_label: str, pks) -> list[int]:
    resolve = resolvers().get(model_label)
    return sorted({p for p in resolve(list(pks)) if p}) if resolve else []


def on_objects_changed(model, pks) -> None:
    label = model._meta.label
    if label == "harvest.HarvestRun":
        try:
            from apps.trust.incidents import on_harvest_runs_finished

            on_harvest_runs_finished(list(pks))
        except Exception:
            log.exception("trust: harvest incidents for runs %s failed", list(pks)[:20])
        return
    if label == "openlineage.LineageEvent":
        try:
            from apps.trust.freshness import measure_lineage_events
            from apps.trust.scoring import recompute

            datasets = measure_lineage_events(list(pks))
            if datasets:
                recompute(affected_products("catalog.Dataset", datasets))
        except Exception:
            log.exception("trust: measuring lineage events %s failed", list(pks)[:20])
        return
    if label not in resolvers():
        return
    try:
        if label == "catalog.Dataset":
            from apps.trust.incidents import sync_check_incidents

            sync_check_incidents(dataset_ids=list(pks))  # its incident writes notify us again, for their products
        if rescore_all_if_the_rubric_changed():
            return  # the full recompute covers this change too
        products = affected_products(label, pks)
        if not products:
            return
        if len(products) <= SYNC_LIMIT:
            from apps.trust.scoring import recompute

            recompute(products)
            return
        from apps.trust.tasks import recompute_maturity

        for start in range(0, len(products), CHUNK):
            recompute_maturity.delay(products[start : start + CHUNK])
    except Exception:  # the write is committed; `manage.py recompute_maturity` repairs what this missed
        log.exception("trust: re-scoring after a change of %s %s failed", label, list(pks)[:20])
