"""Scoring: run every criterion over a scope, turn outcomes into scores, store what changed.

``compute(scope)`` evaluates each criterion once for the whole scope (set-based; the cost
is the number of criteria, not of products or columns). ``recompute(product_ids)``
writes ``ProductMaturity`` rows that differ and appends a ``MaturityScore`` trend point
only when a score, level or principle score moved, emitting ``mesh.maturity.level_changed``
for level changes, in one transaction.
"""

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from apps.core.events import emit_many
from apps.trust.criteria import CRITERIA, Outcome, Scope
from apps.trust.rubric import PRINCIPLES, Rubric, get_rubric

log = logging.getLogger(__name__)
NEXT_ACTIONS = 3


@dataclass
class ProductScore:
    """A product's computed maturity, ready to be stored or rendered."""

    product_id: int
    score: float
    level: int
    principles: dict[str, float | None]
    criteria: dict[str, dict]
    weakest: str = ""
    next_actions: list[str] = field(default_factory=list)


def _round(value: float) -> float:
    return round(value + 1e-9, 1)


def score_product(pid: int, outcomes: dict[str, Outcome], rubric: Rubric) -> ProductScore:
    """Principle scores, overall score and the points of each criterion for one product."""
    principle_scores: dict[str, float | None] = {}
    applicable_weight: dict[str, float] = {}
    for principle in PRINCIPLES:
        lines = rubric.by_principle[principle]
        weight = sum(c.weight for c in lines if outcomes[c.id].passed is not None)
        applicable_weight[principle] = weight
        earned = sum(c.weight for c in lines if outcomes[c.id].passed)
        principle_scores[principle] = _round(100 * earned / weight) if weight else None
    counted = {p: rubric.principle_weights[p] for p, s in principle_scores.items() if s is not None}
    total_weight = sum(counted.values()) or 1
    overall = _round(sum(principle_scores[p] * w for p, w in counted.items()) / total_weight)
    criteria = {}
    for line in rubric.criteria:
        outcome = outcomes[line.id]
        weight = applicable_weight[line.principle]
        points = (
            0.0
            if outcome.passed is None or not weight
            else line.weight / weight * 100 * counted.get(line.principle, 0) / total_weight
        )
        criteria[line.id] = {**outcome.as_dict(), "points": round(points, 2)}
    failing = sorted((c for c in criteria.items() if c[1]["passed"] is False), key=lambda kv: (-kv[1]["points"], kv[0]))
    scored = {p: s for p, s in principle_scores.items() if s is not None}
    weakest = min(scored, key=lambda p: (scored[p], PRINCIPLES.index(p))) if scored else ""
    return ProductScore(
        product_id=pid,
        score=overall,
        level=rubric.level_for(overall).level,
        principles=principle_scores,
        criteria=criteria,
        weakest=weakest,
        next_actions=[cid for cid, _ in failing[:NEXT_ACTIONS]],
    )


def compute(scope: Scope, rubric: Rubric | None = None, timings: dict | None = None) -> dict[int, ProductScore]:
    rubric = rubric or get_rubric()
    by_criterion: dict[str, dict[int, Outcome]] = {}
    for line in rubric.criteria:
        started = time.perf_counter()
        by_criterion[line.id] = CRITERIA[line.id](scope, line)
        if timings is not None:
            timings[line.id] = round(time.perf_counter() - started, 4)
    missing = Outcome(None, note="not evaluated")
    return {
        pid: score_product(pid, {cid: res.get(pid, missing) for cid, res in by_criterion.items()}, rubric)
        for pid in scope.product_ids
    }


def recompute(product_ids=None, *, rubric: Rubric | None = None, timings: dict | None = None) -> dict:
    """Score ``product_ids`` (all when None) and store what changed. Returns counts."""
    from apps.trust.models import MaturityScore, ProductMaturity

    rubric = rubric or get_rubric()
    ids = None if product_ids is None else sorted(set(product_ids))
    if ids == []:
        return {"products": 0, "changed": 0, "trend_points": 0, "level_changes": 0}
    scope = Scope(ids)
    results = compute(scope, rubric, timings)
    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        # Only the small columns and the content digest are read back: the explanations
        # (kilobytes per product) are compared through their digest.
        stored = ProductMaturity.objects.all() if ids is None else ProductMaturity.objects.filter(product_id__in=ids)
        current = {
            pid: (pk, score, level, principles, digest)
            for pid, pk, score, level, principles, digest in stored.values_list(
                "product_id", "pk", "score", "level", "principles", "digest"
            )
        }
        facts = scope.facts()
        fresh, stale_pks, trend, events = [], [], [], []
        for pid, result in results.items():
            row = current.get(pid)
            digest = content_digest(result, rubric)
            moved = row is None or (row[1], row[2], row[3]) != (result.score, result.level, result.principles)
            if row is None or row[4] != digest:
                fresh.append(_row(ProductMaturity(product_id=pid), result, rubric, now, digest))
                if row is not None:
                    stale_pks.append(row[0])
            if moved:
                trend.append(
                    MaturityScore(
                        product_id=pid,
                        score=result.score,
                        level=result.level,
                        principles=result.principles,
                        rubric_digest=rubric.digest,
                        recorded_at=now,
                    )
                )
            if row is not None and row[2] != result.level:
                slug = facts[pid]["slug"]
                events.append(
                    {
                        "type": "mesh.maturity.level_changed",
                        "subject": f"product:{slug}",
                        "data": {"from": row[2], "to": result.level, "score": result.score, "previous_score": row[1]},
                        "actor_label": "maturity scorer",
                        "domain": facts[pid]["domain__slug"],
                        "product": slug,
                    }
                )
        # The current rows are a cache of the latest computation (the history is the
        # trend): replacing a changed row is two set-based statements, where an UPDATE
        # per row of large JSON would be thousands.
        for start in range(0, len(stale_pks), 5000):
            ProductMaturity.objects.filter(pk__in=stale_pks[start : start + 5000]).delete()
        ProductMaturity.objects.bulk_create(fresh, batch_size=1000)
        MaturityScore.objects.bulk_create(trend, batch_size=1000)
        emit_many(events)
    if timings is not None:
        timings["write"] = round(time.perf_counter() - started, 4)
    return {
        "products": len(results),
        "changed": len(fresh),
        "trend_points": len(trend),
        "level_changes": len(events),
    }


def content_digest(result: ProductScore, rubric: Rubric) -> str:
    """Digest of everything a stored row shows; equal digests mean nothing to write."""
    payload = [result.score, result.level, result.principles, result.criteria, result.weakest, rubric.digest]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _row(row, result: ProductScore, rubric: Rubric, now, digest: str):
    row.score, row.level, row.principles = result.score, result.level, result.principles
    row.criteria, row.weakest = result.criteria, result.weakest
    row.rubric_digest, row.computed_at, row.digest = rubric.digest, now, digest
    return row


def label(principle: str) -> str:
    return principle.replace("_", "-").capitalize()


def explain(maturity, rubric: Rubric | None = None) -> dict:
    """The REST/GraphQL shape of a stored score: principles with their criteria and fixes."""
    rubric = rubric or get_rubric()
    principles = {}
    for principle in PRINCIPLES:
        items = []
        for line in rubric.by_principle[principle]:
            stored = maturity.criteria.get(line.id, {})
            items.append(
                {
                    "id": line.id,
                    "passed": stored.get("passed"),
                    "points": stored.get("points", 0),
                    "evidence": stored.get("evidence", []),
                    "count": stored.get("count", 0),
                    "note": stored.get("note", ""),
                    "explanation": line.explanation,
                    "fix": line.fix,
                }
            )
        principles[principle] = {
            "score": maturity.principles.get(principle),
            "label": label(principle),
            "criteria": items,
        }
    failing = sorted(
        (
            (cid, c)
            for cid, c in maturity.criteria.items()
            if c.get("passed") is False and cid in {x.id for x in rubric.criteria}
        ),
        key=lambda kv: (-kv[1].get("points", 0), kv[0]),
    )
    level = next((lv for lv in rubric.levels if lv.level == maturity.level), None)
    return {
        "score": maturity.score,
        "level": maturity.level,
        "level_name": level.name if level else "",
        "weakest": maturity.weakest,
        "weakest_label": label(maturity.weakest) if maturity.weakest else "",
        "computed_at": maturity.computed_at.isoformat(),
        "principles": principles,
        "next_actions": [
            {"id": cid, "points": c.get("points", 0), "fix": rubric.criterion(cid).fix}
            for cid, c in failing[:NEXT_ACTIONS]
        ],
    }
