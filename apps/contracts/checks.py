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

from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

from django.db.models import OuterRef, Subquery

from apps.catalog import compatibility
from apps.catalog.models import Column, Dataset, DatasetConstraint, PortDataset, QualityCheck, QualityResult
from apps.contracts import odcs
from apps.contracts.models import CheckRun, Contract, ContractStatus, ContractVersion, DatasetVerdict, Verdict
from apps.harvest.pipeline.bulk import dumps, upsert

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


_documents: dict[int, dict] = {}  # version id -> document: versions are immutable rows
MAX_CACHED_DOCUMENTS = 5000


def active_versions(contract_ids) -> dict:
    """{contract id: active version (id, contract_id, document)}; documents decoded once per process."""
    rows = list(
        ContractVersion.objects.filter(contract_id__in=contract_ids, status=ContractStatus.ACTIVE).values_list(
            "id", "contract_id"
        )
    )
    missing = [pk for pk, _ in rows if pk not in _documents]
    if missing:
        if len(_documents) + len(missing) > MAX_CACHED_DOCUMENTS:
            _documents.clear()
        _documents.update(ContractVersion.objects.filter(pk__in=missing).values_list("id", "document"))
    return {c: SimpleNamespace(pk=pk, contract_id=c, document=_documents[pk]) for pk, c in rows}


def check_datasets(
    dataset_ids, *, fresh=None, harvest_run=None, trigger=CheckRun.Trigger.HARVEST, now
) -> list[CheckRun]:
    """Check ``dataset_ids`` against their contracts; append the runs; emit on verdict changes.

    ``fresh`` (optional) names the datasets whose facts changed in this run (added, changed,
    removed, new quality results). The others, checked before against the same version, keep
    their column, key and quality verdicts — the facts they were judged on are the same — and
    only their time-dependent SLA clauses are judged again; every dataset still gets its row.
    """
    if not Contract.objects.filter(port__isnull=False).exists():
        return []  # the common case costs one indexed query, not an IN list of the whole batch
    bound = bound_datasets(dataset_ids)
    if not bound:
        return []
    contract_ids = {cid for pairs in bound.values() for cid, _ in pairs}
    versions = active_versions(contract_ids)
    bound = {ds: [c for c, _ in pairs if c in versions] for ds, pairs in bound.items()}
    bound = {ds: cids for ds, cids in bound.items() if cids}
    if not bound:
        return []
    previous, earlier = {}, {}
    for c, d, verdict, version_id, run_id, clauses, met in DatasetVerdict.objects.filter(
        contract_id__in=set(versions)
    ).values_list("contract_id", "dataset_id", "verdict", "version_id", "run_id", "run__clauses", "run__met_count"):
        previous[(c, d)] = (verdict, version_id, run_id)
        earlier[run_id] = (clauses, met)
    datasets = {
        row[0]: SimpleNamespace(pk=row[0], name=row[1], short_name=row[2], removed_at=row[3], last_modified_at=row[4])
        for row in Dataset.objects.filter(pk__in=list(bound)).values_list(
            "id", "name", "short_name", "removed_at", "last_modified_at"
        )
    }
    reuse = {}
    if fresh is not None:
        for ds, cids in bound.items():
            if ds in fresh or datasets[ds].removed_at is not None:
                continue
            for c in cids:
                prev = previous.get((c, ds))
                if prev is not None and prev[1] == versions[c].pk:
                    reuse[(c, ds)] = prev[2]
    evidence = Evidence.load([ds for ds, cids in bound.items() if any((c, ds) not in reuse for c in cids)], datasets)
    runs = []
    for dataset_id, cids in bound.items():
        dataset = datasets[dataset_id]
        for contract_id in cids:
            version = versions[contract_id]
            obj = match_object(version.document, dataset.name, dataset.short_name)
            if obj is None:
                continue  # the port exposes a dataset this contract does not describe
            before = earlier.get(reuse.get((contract_id, dataset_id)))
            if before is not None:
                runs.append(_rejudged(version, dataset, obj, before, harvest_run, trigger, now))
            else:
                clauses = judge(version.document, obj, dataset, evidence, now)
                runs.append(_run(version, dataset, obj, clauses, harvest_run, trigger, now))
    save_runs(runs)
    _record_verdicts(runs, now, {k: v[0] for k, v in previous.items()})
    return runs


@dataclass
class RunRow:
    """A check run about to be appended (plain attributes: thousands are built per harvest)."""

    version_id: int
    contract_id: int
    dataset_id: int
    object_name: str
    harvest_run_id: int | None
    trigger: str
    verdict: str
    clauses: list
    met_count: int
    violated_count: int
    checked_at: object
    pk: int | None = None


def _rejudged(version, dataset, obj, before, harvest_run, trigger, now) -> CheckRun:
    """The earlier verdicts of unchanged facts, with the SLA clauses judged as of ``now``."""
    clauses, met = before
    slas = _judge_slas(odcs.object_name(obj), version.document, dataset, now)
    earlier_sla_met = len(slas) - sum(1 for c in clauses if c["kind"] == "sla")
    kept = [c for c in clauses if c["kind"] != "sla"]
    nonmet = kept + [c for c in slas if c["verdict"] != MET]
    return _verdict_run(
        version,
        dataset,
        obj,
        nonmet,
        met - earlier_sla_met + sum(c["verdict"] == MET for c in slas),
        harvest_run,
        trigger,
        now,
    )


def _run(version, dataset, obj, clauses, harvest_run, trigger, now) -> CheckRun:
    nonmet = [c for c in clauses if c["verdict"] != MET]
    return _verdict_run(version, dataset, obj, nonmet, len(clauses) - len(nonmet), harvest_run, trigger, now)


def _verdict_run(version, dataset, obj, nonmet, met_count, harvest_run, trigger, now) -> CheckRun:
    violated = [c for c in nonmet if c["verdict"] == VIOLATED]
    unknown = [c for c in nonmet if c["verdict"] == UNKNOWN]
    if violated:
        verdict = VIOLATED
    elif met_count == 0:
        verdict = UNKNOWN
    else:
        verdict = MET
    return RunRow(
        version_id=version.pk,
        contract_id=version.contract_id,
        dataset_id=dataset.pk,
        object_name=odcs.object_name(obj)[:300],
        harvest_run_id=getattr(harvest_run, "pk", None),
        trigger=str(trigger),
        verdict=verdict,
        clauses=violated + unknown,
        met_count=max(0, met_count),
        violated_count=len(violated),
        checked_at=now,
    )


RUN_FIELDS = [
    "version_id", "contract_id", "dataset_id", "object_name", "harvest_run_id", "trigger", "verdict",
    "clauses", "met_count", "violated_count", "checked_at",
]  # fmt: skip


def save_runs(runs: list) -> None:
    """Append the runs in one COPY (PostgreSQL) or bulk insert, and give each its id."""
    rows = [
        (
            r.version_id, r.contract_id, r.dataset_id, r.object_name, r.harvest_run_id, r.trigger, r.verdict,
            dumps(r.clauses), r.met_count, r.violated_count, r.checked_at,
        )
        for r in runs
    ]  # fmt: skip
    ids = {
        (contract, dataset): pk
        for pk, contract, dataset in upsert(CheckRun, RUN_FIELDS, rows, returning=["id", "contract_id", "dataset_id"])
    }
    for r in runs:
        r.pk = ids.get((r.contract_id, r.dataset_id))


def _record_verdicts(runs: list[CheckRun], now, previous: dict | None = None) -> None:
    """Keep the latest verdict per (contract, dataset) and emit when it turns or recovers."""
    from apps.contracts.notify import verdicts_changed

    if previous is None:
        previous = {
            (c, d): v
            for c, d, v in DatasetVerdict.objects.filter(contract_id__in={r.contract_id for r in runs}).values_list(
                "contract_id", "dataset_id", "verdict"
            )
        }
    upsert(
        DatasetVerdict,
        ["contract_id", "dataset_id", "verdict", "version_id", "run_id", "checked_at"],
        [(r.contract_id, r.dataset_id, r.verdict, r.version_id, r.pk, now) for r in runs],
        conflict=["contract_id", "dataset_id"],
        update=["verdict", "version_id", "run_id", "checked_at"],
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


def on_reconcile(context) -> None:
    """The harvest hook: check this batch's datasets (and those it removed), then report
    breaking schema changes of bound datasets as impact reports."""
    ids = list(context.dataset_ids) + list(context.removed)
    fresh = set(context.added) | set(context.changed) | set(context.removed) | set(context.touched)
    runs = check_datasets(ids, fresh=fresh, harvest_run=context.run, now=context.now)
    if runs:
        context.report.add("contract_checks", len(runs))
        context.report.add("contract_violations", sum(r.verdict == VIOLATED for r in runs))
    if runs and (context.changed or context.removed):
        from apps.contracts.harvested import report_harvested_breaks

        report_harvested_breaks({r.dataset_id for r in runs} & set(context.changed + context.removed), context.now)
