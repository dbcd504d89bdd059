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
from types import SimpleNamespace

from apps.catalog.models import Dataset, Port, PortDataset
from apps.contracts import odcs
from apps.contracts.judge import MET, UNKNOWN, VIOLATED, Evidence, _judge_slas, judge
from apps.contracts.models import CheckRun, Contract, ContractStatus, ContractVersion, DatasetVerdict
from apps.core.hooks import objects_changed
from apps.harvest.pipeline.bulk import dumps, upsert

BATCH = 2000


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
    if turned:  # the ports' contract standing moved: maturity scores re-read it after the commit
        ports = Contract.objects.filter(pk__in={r.contract_id for r in turned}).values_list("port_id", flat=True)
        objects_changed(Port, list(ports))


# --- evidence ----------------------------------------------------------------------------------


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
