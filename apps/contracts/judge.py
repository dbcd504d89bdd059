"""Judging one dataset against one contract object: every clause met, violated or unknown, with evidence."""

from datetime import timedelta

from django.db.models import OuterRef, Subquery

from apps.catalog import compatibility
from apps.catalog.models import Column, Dataset, DatasetConstraint, QualityCheck, QualityResult
from apps.contracts import odcs
from apps.contracts.models import Verdict

MET, VIOLATED, UNKNOWN = Verdict.MET.value, Verdict.VIOLATED.value, Verdict.UNKNOWN.value
LOGICAL_OF = {
    "text": "string", "varchar": "string", "char": "string", "uuid": "string", "citext": "string",
    "smallint": "integer", "integer": "integer", "bigint": "integer", "tinyint": "integer",
    "numeric": "number", "real": "number", "double precision": "number", "money": "number",
    "boolean": "boolean", "date": "date", "timestamp": "timestamp", "timestamptz": "timestamp",
    "time": "time", "timetz": "time", "json": "object", "jsonb": "object",
}  # fmt: skip
#: ODCS library metrics (with "must be 0") and the test kinds that give the same evidence
METRIC_TESTS = {"nullValues": ("not_null",), "duplicateValues": ("unique",), "invalidValues": ("accepted_values",)}


class Evidence:
    """Everything the checks read about a set of datasets, loaded in a fixed number of queries."""

    def __init__(self):
        self.datasets: dict[int, Dataset] = {}
        self.columns: dict[int, dict[str, dict]] = {}
        self.keys: dict[int, dict[str, set]] = {}
        self.tests: dict[int, dict[tuple[str, str], tuple[str, str]]] = {}

    @classmethod
    def load(cls, dataset_ids: list[int], datasets: dict) -> "Evidence":
        ev = cls()
        ev.datasets = datasets
        if not dataset_ids:
            return ev
        for ds, name, data_type, nullable, pk in Column.objects.filter(dataset_id__in=dataset_ids).values_list(
            "dataset_id", "name", "data_type", "nullable", "is_primary_key"
        ):
            ev.columns.setdefault(ds, {})[name] = {"type": data_type, "nullable": nullable, "primary_key": pk}
        for ds, kind, columns in DatasetConstraint.objects.filter(
            dataset_id__in=dataset_ids, kind__in=["primary_key", "unique"]
        ).values_list("dataset_id", "kind", "columns"):
            keys = ev.keys.setdefault(ds, {"primary_key": set(), "unique": set()})
            keys[kind] |= {tuple(columns)} if len(columns) > 1 else set(columns)
        latest = QualityResult.objects.filter(quality_check=OuterRef("pk")).order_by("-observed_at")
        for ds, column, check_type, status, message in (
            QualityCheck.objects.filter(dataset_id__in=dataset_ids, removed_at__isnull=True)
            .annotate(
                last_status=Subquery(latest.values("status")[:1]), last_message=Subquery(latest.values("message")[:1])
            )
            .values_list("dataset_id", "column_name", "check_type", "last_status", "last_message")
        ):
            if status:
                ev.tests.setdefault(ds, {})[(column, check_type)] = (status, message or "")
        return ev


# --- judging one dataset --------------------------------------------------------------------


def _clause(clause: str, kind: str, verdict: str, evidence: str = "") -> dict:
    return {"clause": clause, "kind": kind, "verdict": verdict, "evidence": evidence}


def judge(document: dict, obj: dict, dataset: Dataset, ev: Evidence, now) -> list[dict]:
    """Every clause of ``obj`` (and the contract's SLAs) judged against ``dataset``."""
    name = odcs.object_name(obj)
    if dataset.removed_at is not None:
        return [
            _clause(
                name,
                "dataset",
                VIOLATED,
                f"The dataset was removed from its source at {dataset.removed_at:%Y-%m-%d %H:%M}.",
            )
        ]
    columns = ev.columns.get(dataset.pk, {})
    keys = ev.keys.get(dataset.pk, {"primary_key": set(), "unique": set()})
    tests = ev.tests.get(dataset.pk, {})
    out = []
    for prop in obj.get("properties") or []:
        if isinstance(prop, dict):
            out += _judge_property(name, prop, columns, keys, tests)
    for rule in obj.get("quality") or []:
        if isinstance(rule, dict):
            out.append(_judge_quality(name, "", rule, tests))
    out += _judge_slas(name, document, dataset, now)
    return out


def _judge_property(obj_name, prop, columns, keys, tests) -> list[dict]:
    column = str(prop.get("physicalName") or prop.get("name"))
    clause = f"{obj_name}.{column}"
    actual = columns.get(column)
    if actual is None:
        return [_clause(clause, "present", VIOLATED, "No such column in the harvested dataset.")]
    out = []
    out.append(_judge_type(clause, prop, actual))
    if prop.get("required"):
        if not actual["nullable"]:
            out.append(_clause(clause, "required", MET))
        else:
            out.append(
                _from_test(
                    clause,
                    "required",
                    tests.get((column, "not_null")),
                    "The column is nullable and no not_null test covers it.",
                )
            )
    for flag, test_kind in (("primaryKey", "primary_key"), ("unique", "unique")):
        if not prop.get(flag):
            continue
        covered = (
            column in keys["primary_key"] or actual["primary_key"] or (flag == "unique" and column in keys["unique"])
        )
        if covered:
            out.append(_clause(clause, test_kind, MET))
        else:
            out.append(
                _from_test(
                    clause, test_kind, tests.get((column, "unique")), "No key or unique constraint and no unique test."
                )
            )
    for rule in prop.get("quality") or []:
        if isinstance(rule, dict):
            out.append(_judge_quality(clause, column, rule, tests))
    return out


def _judge_type(clause, prop, actual) -> dict:
    physical, logical = prop.get("physicalType"), prop.get("logicalType")
    if physical:
        change = compatibility.type_change(physical, actual["type"])
        if change in (None, "type_narrowed"):  # every harvested value fits the promised type
            return _clause(clause, "type", MET)
        return _clause(
            clause, "type", VIOLATED, f"Promised {physical}, harvested {actual['type']} ({change.replace('_', ' ')})."
        )
    if logical:
        family = LOGICAL_OF.get(compatibility.parse_type(actual["type"]).base)
        if family is None:
            return _clause(clause, "type", UNKNOWN, f"Cannot tell the logical type of {actual['type']}.")
        if family == logical or (family == "integer" and logical == "number"):
            return _clause(clause, "type", MET)
        return _clause(clause, "type", VIOLATED, f"Promised {logical}, harvested {actual['type']} ({family}).")
    return _clause(clause, "type", MET)


def _from_test(clause, kind, test, no_evidence) -> dict:
    if test is None:
        return _clause(clause, kind, VIOLATED if kind == "required" else UNKNOWN, no_evidence)
    status, message = test
    if status == "pass":
        return _clause(clause, kind, MET, "covered by a passing test")
    if status in ("fail", "error"):
        return _clause(clause, kind, VIOLATED, f"Test {status}: {message}"[:300])
    return _clause(clause, kind, UNKNOWN, f"Test {status}.")


def _judge_quality(clause, column, rule, tests) -> dict:
    label = f"{clause} quality {rule.get('metric') or rule.get('type') or 'rule'}"
    tests_for = METRIC_TESTS.get(rule.get("metric") or "")
    if tests_for and column:
        for kind in tests_for:
            if (column, kind) in tests:
                status, message = tests[(column, kind)]
                verdict = MET if status == "pass" else VIOLATED if status in ("fail", "error") else UNKNOWN
                return _clause(label, "quality", verdict, f"dbt {kind}: {status} {message}".strip()[:300])
    return _clause(label, "quality", UNKNOWN, "No harvested result yet; scheduled checks run it through the lab.")


_SLA_WINDOWS = {"latency", "freshness", "frequency"}


def _judge_slas(obj_name, document, dataset, now) -> list[dict]:
    out = []
    for sla in document.get("slaProperties") or []:
        if not isinstance(sla, dict) or str(sla.get("property", "")).lower() not in _SLA_WINDOWS:
            continue
        element = str(sla.get("element") or "")
        if element and element.split(".")[0] not in (obj_name, dataset.short_name):
            continue
        seconds = compatibility.sla_seconds(sla.get("value"), sla.get("unit"))
        clause = f"{obj_name} sla {sla['property']} {sla.get('value')}{sla.get('unit') or ''}"
        if seconds is None or dataset.last_modified_at is None:
            out.append(_clause(clause, "sla", UNKNOWN, "No observed update time for this dataset."))
            continue
        age = now - dataset.last_modified_at
        if age <= timedelta(seconds=seconds):
            out.append(_clause(clause, "sla", MET, f"last update {dataset.last_modified_at:%Y-%m-%d %H:%M}"))
        else:
            out.append(
                _clause(
                    clause,
                    "sla",
                    VIOLATED,
                    f"Last update {dataset.last_modified_at:%Y-%m-%d %H:%M}, {age.total_seconds() / 3600:.1f} h ago.",
                )
            )
    return out
