"""Checking harvested datasets against their active contracts, set-based, after every harvest.

For each dataset behind an output port whose contract has an active version, every clause
of the matching schema object is judged from what the catalog holds — columns and their
types and nullability, key and unique constraints, the latest dbt test results (and any
other quality check of the same kind, such as OpenLineage assertions), the dataset's last
observed update for SLAs — as *met*, *violated* (with the evidence) or *unknown* (nothing
to tell from). One ``CheckRun`` row per dataset and run is appended; only the clauses that
are not met are stored in it (the met ones are every other clause of that version).

The cost is a fixed number of queries whatever the number of datasets: bindings, versions,
columns, constraints, latest quality results, previous verdicts, then two bulk writes.
"""

from datetime import timedelta

from django.db.models import OuterRef, Subquery

from apps.catalog import compatibility
from apps.catalog.models import Column, Dataset, DatasetConstraint, PortDataset, QualityCheck, QualityResult
from apps.contracts import odcs
from apps.contracts.models import CheckRun, ContractStatus, ContractVersion, DatasetVerdict, Verdict

BATCH = 2000
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


def bound_datasets(dataset_ids) -> dict[int, list[tuple[int, int]]]:
    """{dataset id: [(contract id, port id)]} for datasets behind a port with a contract."""
    out: dict[int, list] = {}
    rows = PortDataset.objects.filter(dataset_id__in=list(dataset_ids), port__contract__isnull=False).values_list(
        "dataset_id", "port__contract__id", "port_id"
    )
    for dataset_id, contract_id, port_id in rows:
        out.setdefault(dataset_id, []).append((contract_id, port_id))
    return out


def match_object(document: dict, dataset_name: str, short_name: str) -> dict | None:
    """The schema object describing a dataset: by physical name (or name), exact or last part."""
    for obj in document.get("schema") or []:
        name = odcs.object_name(obj) if isinstance(obj, dict) else ""
        if name and (name in (dataset_name, short_name) or dataset_name.endswith("." + name)):
            return obj
    return None


def check_datasets(dataset_ids, *, harvest_run=None, trigger=CheckRun.Trigger.HARVEST, now) -> list[CheckRun]:
    """Check ``dataset_ids`` against their contracts; append the runs; emit on verdict changes."""
    bound = bound_datasets(dataset_ids)
    if not bound:
        return []
    contract_ids = {cid for pairs in bound.values() for cid, _ in pairs}
    versions = {
        v.contract_id: v
        for v in ContractVersion.objects.filter(contract_id__in=contract_ids, status=ContractStatus.ACTIVE).only(
            "id", "contract_id", "version", "document"
        )
    }
    bound = {ds: [(c, p) for c, p in pairs if c in versions] for ds, pairs in bound.items()}
    bound = {ds: pairs for ds, pairs in bound.items() if pairs}
    if not bound:
        return []
    evidence = Evidence.load(list(bound))
    runs = []
    for dataset_id, pairs in bound.items():
        dataset = evidence.datasets[dataset_id]
        for contract_id, _port_id in pairs:
            version = versions[contract_id]
            obj = match_object(version.document, dataset.name, dataset.short_name)
            if obj is None:
                continue  # the port exposes a dataset this contract does not describe
            clauses = judge(version.document, obj, dataset, evidence, now)
            runs.append(_run(version, dataset, obj, clauses, harvest_run, trigger, now))
    CheckRun.objects.bulk_create(runs, batch_size=BATCH)
    _record_verdicts(runs, now)
    return runs


def _run(version, dataset, obj, clauses, harvest_run, trigger, now) -> CheckRun:
    violated = [c for c in clauses if c["verdict"] == VIOLATED]
    unknown = [c for c in clauses if c["verdict"] == UNKNOWN]
    if violated:
        verdict = VIOLATED
    elif not clauses or len(unknown) == len(clauses):
        verdict = UNKNOWN
    else:
        verdict = MET
    return CheckRun(
        version_id=version.pk,
        contract_id=version.contract_id,
        dataset_id=dataset.pk,
        object_name=odcs.object_name(obj)[:300],
        harvest_run=harvest_run,
        trigger=trigger,
        verdict=verdict,
        clauses=violated + unknown,
        met_count=len(clauses) - len(violated) - len(unknown),
        violated_count=len(violated),
        checked_at=now,
    )


def _record_verdicts(runs: list[CheckRun], now) -> None:
    """Keep the latest verdict per (contract, dataset) and emit when it turns or recovers."""
    from apps.contracts.notify import verdicts_changed

    previous = {
        (c, d): v
        for c, d, v in DatasetVerdict.objects.filter(
            contract_id__in={r.contract_id for r in runs}, dataset_id__in={r.dataset_id for r in runs}
        ).values_list("contract_id", "dataset_id", "verdict")
    }
    DatasetVerdict.objects.bulk_create(
        [
            DatasetVerdict(contract_id=r.contract_id, dataset_id=r.dataset_id, verdict=r.verdict, run=r, checked_at=now)
            for r in runs
        ],
        update_conflicts=True,
        unique_fields=["contract", "dataset"],
        update_fields=["verdict", "run", "checked_at"],
        batch_size=BATCH,
    )
    # a first check that is violated is news; a first check that is met is not
    turned = [
        r
        for r in runs
        if r.verdict in (MET, VIOLATED) and previous.get((r.contract_id, r.dataset_id), MET) != r.verdict
    ]
    verdicts_changed(turned)


# --- evidence ----------------------------------------------------------------------------------


class Evidence:
    """Everything the checks read about a set of datasets, loaded in a fixed number of queries."""

    def __init__(self):
        self.datasets: dict[int, Dataset] = {}
        self.columns: dict[int, dict[str, dict]] = {}
        self.keys: dict[int, dict[str, set]] = {}
        self.tests: dict[int, dict[tuple[str, str], tuple[str, str]]] = {}

    @classmethod
    def load(cls, dataset_ids: list[int]) -> "Evidence":
        ev = cls()
        ev.datasets = {
            d.pk: d
            for d in Dataset.objects.filter(pk__in=dataset_ids).only(
                "id", "name", "short_name", "kind", "removed_at", "last_modified_at", "last_seen_at"
            )
        }
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


def on_reconcile(context) -> None:
    """The harvest hook: check this batch's datasets (and those it removed), then report
    breaking schema changes of bound datasets as impact reports."""
    ids = list(context.dataset_ids) + list(context.removed)
    runs = check_datasets(ids, harvest_run=context.run, now=context.now)
    if runs:
        context.report.add("contract_checks", len(runs))
        context.report.add("contract_violations", sum(r.verdict == VIOLATED for r in runs))
    if runs and (context.changed or context.removed):
        from apps.contracts.harvested import report_harvested_breaks

        report_harvested_breaks({r.dataset_id for r in runs} & set(context.changed + context.removed), context.now)
