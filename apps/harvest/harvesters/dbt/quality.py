"""dbt tests and source freshness → ``QualityRecord``, with their last result.

Tests attach to the dataset (and column) they check; their latest outcome comes from
``run_results.json`` and source freshness from ``sources.json``. A result's ``run_key`` is
the invocation that produced it, so harvesting the artifacts of two invocations appends
two results, and harvesting the same ones twice writes nothing new.
"""

from collections.abc import Iterator
from datetime import datetime

from apps.harvest.harvesters.dbt.nodes import NodeIndex
from apps.harvest.records import HarvestWarning, QualityRecord

CATEGORY_BY_TEST = {
    "not_null": "completeness",
    "not_null_proportion": "completeness",
    "not_empty_string": "completeness",
    "unique": "uniqueness",
    "unique_combination_of_columns": "uniqueness",
    "relationships": "accuracy",
    "relationships_where": "accuracy",
    "accepted_values": "validity",
    "accepted_range": "validity",
    "expression_is_true": "validity",
    "not_accepted_values": "validity",
    "freshness": "timeliness",
    "recency": "timeliness",
    "equal_rowcount": "consistency",
    "equality": "consistency",
}
# dbt result statuses → ours. For source freshness, dbt's "error" means "stale beyond
# error_after" — a failed check, not a failure to check.
TEST_STATUS = {
    "pass": "pass",
    "success": "pass",
    "warn": "warn",
    "fail": "fail",
    "error": "error",
    "runtime error": "error",
    "skipped": "skipped",
}
FRESHNESS_STATUS = {"pass": "pass", "warn": "warn", "error": "fail", "runtime error": "error"}


def test_records(index: NodeIndex, run_results: dict) -> Iterator[QualityRecord | HarvestWarning]:
    results = {r.get("unique_id"): r for r in run_results.get("results") or [] if isinstance(r, dict)}
    meta = run_results.get("metadata") or {}
    run_key = meta.get("invocation_id") or ""
    generated_at = _parse_time(meta.get("generated_at"))
    unattached = 0
    for uid in sorted(u for u, n in index.nodes.items() if n.get("resource_type") == "test"):
        test = index.nodes[uid]
        target = _attached_node(test, index)
        if target is None:
            unattached += 1
            continue
        name, kwargs = _test_name(test)
        definition = {"dbt_unique_id": uid, "severity": (test.get("config") or {}).get("severity")}
        if kwargs:
            definition["kwargs"] = {k: v for k, v in kwargs.items() if k != "model"}
        if test.get("description"):
            definition["description"] = test["description"]
        result = results.get(uid)
        fields = {}
        if result is not None and result.get("status") in TEST_STATUS:
            fields = {
                "status": TEST_STATUS[result["status"]],
                "observed_at": _finished_at(result) or generated_at,
                "run_key": run_key,
                "failures": result.get("failures") if isinstance(result.get("failures"), int) else None,
                "message": str(result.get("message") or "")[:2000],
            }
        yield QualityRecord(
            dataset=index.refs[target],
            key=uid,
            name=test.get("name") or uid,
            check_type=name,
            category=CATEGORY_BY_TEST.get(name, "other"),
            column_name=test.get("column_name") or (kwargs or {}).get("column_name") or "",
            definition=definition,
            **fields,
        )
    if unattached:
        yield HarvestWarning(
            "dbt_test_unattached",
            f"{unattached} tests check no model, seed, snapshot or source of this project and were skipped.",
        )


def unit_test_records(manifest: dict, index: NodeIndex, run_results: dict) -> Iterator[QualityRecord]:
    """dbt unit tests (1.8+) check a model's logic on fixed inputs: one check on the model each."""
    results = {r.get("unique_id"): r for r in run_results.get("results") or [] if isinstance(r, dict)}
    meta = run_results.get("metadata") or {}
    for uid in sorted(manifest.get("unit_tests") or {}):
        test = manifest["unit_tests"][uid]
        model = next((p for p in (test.get("depends_on") or {}).get("nodes") or [] if p in index.refs), None)
        if model is None:
            continue
        result = results.get(uid)
        fields = {}
        if result is not None and result.get("status") in TEST_STATUS:
            fields = {
                "status": TEST_STATUS[result["status"]],
                "observed_at": _finished_at(result) or _parse_time(meta.get("generated_at")),
                "run_key": meta.get("invocation_id") or "",
                "message": str(result.get("message") or "")[:2000],
            }
        definition = {"dbt_unique_id": uid}
        if test.get("description"):
            definition["description"] = test["description"]
        yield QualityRecord(
            dataset=index.refs[model],
            key=uid,
            name=test.get("name") or uid,
            check_type="unit_test",
            category="accuracy",
            definition=definition,
            **fields,
        )


def model_run_warnings(index: NodeIndex, run_results: dict) -> Iterator[HarvestWarning]:
    """Models, seeds and snapshots that failed or were skipped in the last run: their tables may be stale."""
    for result in run_results.get("results") or []:
        uid = result.get("unique_id") if isinstance(result, dict) else None
        if (
            uid in index.refs
            and index.nodes[uid].get("resource_type") != "source"
            and result.get("status") in ("error", "skipped", "runtime error")
        ):
            yield HarvestWarning(
                "dbt_node_not_built",
                f"The last dbt run reported {result['status']}: {str(result.get('message') or '')[:300]}",
                uid,
            )


def freshness_records(index: NodeIndex, sources_json: dict) -> Iterator[QualityRecord]:
    """One timeliness check per source with a freshness policy; its result from ``sources.json``."""
    results = {r.get("unique_id"): r for r in sources_json.get("results") or [] if isinstance(r, dict)}
    run_key = (sources_json.get("metadata") or {}).get("invocation_id") or ""
    for uid in sorted(u for u in index.refs if index.nodes[u].get("resource_type") == "source"):
        source = index.nodes[uid]
        policy = source.get("freshness") or (source.get("config") or {}).get("freshness") or {}
        has_policy = any((policy.get(k) or {}).get("count") for k in ("warn_after", "error_after"))
        result = results.get(uid)
        if not has_policy and result is None:
            continue
        fields = {}
        if result is not None and result.get("status") in FRESHNESS_STATUS:
            status = FRESHNESS_STATUS[result["status"]]
            age = result.get("max_loaded_at_time_ago_in_s")
            fields = {
                "status": status,
                "observed_at": _parse_time(result.get("snapshotted_at")),
                "run_key": run_key,
                "message": _freshness_message(result, age)
                if status != "error"
                else str(result.get("error") or result.get("message") or "")[:2000],
            }
        yield QualityRecord(
            dataset=index.refs[uid],
            key=f"{uid}.freshness",
            name=f"freshness of {source.get('source_name', '')}.{source.get('name', '')}".strip("."),
            check_type="freshness",
            category="timeliness",
            definition={
                "dbt_unique_id": uid,
                "loaded_at_field": source.get("loaded_at_field") or (source.get("config") or {}).get("loaded_at_field"),
                "warn_after": policy.get("warn_after"),
                "error_after": policy.get("error_after"),
            },
            **fields,
        )


def _attached_node(test: dict, index: NodeIndex) -> str | None:
    attached = test.get("attached_node")
    if attached in index.refs:
        return attached
    parents = [p for p in (test.get("depends_on") or {}).get("nodes") or [] if p in index.refs]
    return parents[0] if len(parents) == 1 or (parents and not attached) else None


def _test_name(test: dict) -> tuple[str, dict]:
    meta = test.get("test_metadata") or {}
    if meta.get("name"):
        return str(meta["name"]), dict(meta.get("kwargs") or {})
    return "singular", {}


def _finished_at(result: dict) -> datetime | None:
    for timing in reversed(result.get("timing") or []):
        if timing.get("name") == "execute" and timing.get("completed_at"):
            return _parse_time(timing["completed_at"])
    return None


def _parse_time(value) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _freshness_message(result: dict, age) -> str:
    if isinstance(age, (int, float)):
        return f"last loaded {age / 3600:.1f} h ago (max_loaded_at {result.get('max_loaded_at')})"
    return ""
