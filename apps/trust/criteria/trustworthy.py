"""Trustworthy: checked, passing, fresh, under contract, without open incidents, with known lineage."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from apps.catalog.models import PortDirection, QualityResult, QualityStatus
from apps.core.facts import PRODUCT_FACTS
from apps.trust.criteria.base import NOT_APPLICABLE, Outcome, all_pass, capped, criterion, dataset_url, from_links

PASS_RATE_DAYS = 30


def _outputs_with(scope, **annotations):
    return scope.output_links().annotate(**annotations)


@criterion("checks_on_outputs")
def checks_on_outputs(scope, line):
    return from_links(
        scope,
        applies=lambda r: True,
        fails=lambda r: not r["checked"],
        label=lambda r: f"{r['dataset__name']} has no quality check",
    )


@criterion("pass_rate_30d")
def pass_rate_30d(scope, line):
    threshold = line.threshold if line.threshold is not None else 0.95
    since = timezone.now() - timedelta(days=PASS_RATE_DAYS)
    results = QualityResult.objects.filter(
        observed_at__gte=since,
        quality_check__removed_at__isnull=True,
        quality_check__dataset__port_links__port__direction=PortDirection.OUTPUT,
    ).exclude(status=QualityStatus.SKIPPED)
    results = scope.filter(results, "quality_check__dataset__port_links__port__product_id")
    rates = {
        pid: (total, passed)
        for pid, total, passed in results.values("quality_check__dataset__port_links__port__product_id")
        .annotate(
            total=Count("id", distinct=True),
            passed=Count("id", filter=Q(status__in=[QualityStatus.PASS, QualityStatus.WARN]), distinct=True),
        )
        .values_list("quality_check__dataset__port_links__port__product_id", "total", "passed")
    }
    failing = (
        results.exclude(status__in=[QualityStatus.PASS, QualityStatus.WARN])
        .values(
            "quality_check__dataset__port_links__port__product_id",
            "quality_check_id",
            "quality_check__name",
            "quality_check__dataset_id",
        )
        .distinct()
    )
    examples = capped(
        failing,
        partition="quality_check__dataset__port_links__port__product_id",
        order_by=["quality_check__name"],
        when=any(t > p for t, p in rates.values()),
    )
    out = {}
    for pid in scope.product_ids:
        if pid not in rates:
            out[pid] = Outcome(NOT_APPLICABLE, note=f"no check results in {PASS_RATE_DAYS} days")
            continue
        total, passed = rates[pid]
        rate = passed / total
        evidence = [
            {"label": f"check {r['quality_check__name']} failed", "url": dataset_url(r["quality_check__dataset_id"])}
            for r in examples.get(pid, [])
        ]
        ok = rate >= threshold
        out[pid] = Outcome(ok, [] if ok else evidence, 0 if ok else total - passed, rate, f"{passed}/{total} passed")
    return out


@criterion("fresh_within_latency")
def fresh_within_latency(scope, line):
    from apps.trust.freshness import freshness_by_product

    out = {}
    by_product = freshness_by_product(scope)
    for pid in scope.product_ids:
        rows = [r for r in by_product.get(pid, []) if r.promised_minutes is not None]
        if not rows:
            out[pid] = Outcome(NOT_APPLICABLE, note="no latency promised")
            continue
        stale = [r for r in rows if not r.fresh]
        evidence = [{"label": r.label, "url": dataset_url(r.dataset_id)} for r in stale[:5]]
        out[pid] = Outcome(not stale, evidence, len(stale))
    return out


@criterion("contract_met")
def contract_met(scope, line):
    """From the ``contract_met`` product fact (the contracts app, a sibling, supplies it)."""
    provider = PRODUCT_FACTS.get("contract_met")
    if provider is None:
        return {pid: Outcome(NOT_APPLICABLE, note="contracts are not installed") for pid in scope.product_ids}
    facts = provider(sorted(scope.product_ids))
    out = {}
    for pid in scope.product_ids:
        fact = facts.get(pid)
        if fact is None:
            out[pid] = Outcome(NOT_APPLICABLE, note="no active contract on its output ports")
        else:
            out[pid] = Outcome(fact.passed, list(fact.evidence), fact.count, note=fact.note)
    return out


@criterion("no_open_incidents")
def no_open_incidents(scope, line):
    from apps.trust.models import Incident

    open_incidents = scope.filter(Incident.objects.filter(resolved_at__isnull=True))
    counts = dict(open_incidents.values("product_id").annotate(n=Count("id")).values_list("product_id", "n"))
    examples = capped(
        open_incidents.values("product_id", "id", "title"), partition="product_id", order_by=["-id"], when=bool(counts)
    )
    from apps.trust.criteria.base import url_pattern

    pattern = url_pattern("trust:incident_detail")
    evidence = {
        pid: [{"label": f"open incident: {r['title']}", "url": pattern.format(r["id"])} for r in rows]
        for pid, rows in examples.items()
    }
    return all_pass(scope.product_ids, evidence, counts)


@criterion("lineage_to_source")
def lineage_to_source(scope, line):
    return from_links(
        scope,
        applies=lambda r: True,
        # sources (dbt sources, seeds) are where lineage starts; an input port is a known upstream
        fails=lambda r: not (r["fed"] or r["has_input"] or r["dataset__kind"] in ("dbt_source", "seed")),
        label=lambda r: f"no known upstream of {r['dataset__name']}",
    )
