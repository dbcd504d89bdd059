"""ODCS quality rules run against the data, through the lab's read-only runner, on a schedule.

Library metrics (``rowCount``, ``nullValues``, ``missingValues``, ``duplicateValues``,
``invalidValues``) of one dataset become ONE aggregate SELECT; each ``type: sql`` rule is
its own SELECT with ``{object}``/``{property}`` filled in. Every statement goes through
``apps.lab.runner.run_query``: sqlglot lets only a single SELECT over the port's tables
through, PostgreSQL runs it in a READ ONLY transaction with the lab's statement timeout
and row cap, as the source's reader role. So a contract can never write, and a slow rule
is stopped like any lab query. Results are appended as ``CheckRun`` rows (trigger
``schedule``); a rule that could not run is *unknown* with the reason.
"""

from django.utils import timezone

from apps.contracts import odcs
from apps.contracts.checks import _run, match_object
from apps.contracts.judge import MET, UNKNOWN, VIOLATED, _clause
from apps.contracts.models import CheckRun, ContractStatus
from apps.core.actors import SystemActor
from apps.core.errors import ActionError

ACTOR = SystemActor("contract quality checks")
OPERATORS = {
    "mustBe": lambda v, a: v == a,
    "mustNotBe": lambda v, a: v != a,
    "mustBeGreaterThan": lambda v, a: v > a,
    "mustBeGreaterOrEqualTo": lambda v, a: v >= a,
    "mustBeLessThan": lambda v, a: v < a,
    "mustBeLessOrEqualTo": lambda v, a: v <= a,
    "mustBeBetween": lambda v, a: a[0] <= v <= a[1],
    "mustNotBeBetween": lambda v, a: not (a[0] <= v <= a[1]),
}
COUNT_METRICS = {"nullValues", "missingValues", "duplicateValues", "invalidValues"}


def literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def metric_expression(rule: dict, column: str | None) -> str | None:
    """The aggregate computing ``rule``'s metric (a count of offending rows), or None."""
    metric = rule.get("metric")
    args = rule.get("arguments") or {}
    if metric == "rowCount":
        return "count(*)"
    if not column:
        return None
    col = quote(column)
    if metric == "nullValues":
        return f"count(*) - count({col})"
    if metric == "missingValues":
        missing = [v for v in args.get("missingValues") or [] if v is not None]
        extra = f" OR {col}::text IN ({', '.join(literal(str(v)) for v in missing)})" if missing else ""
        return f"count(*) FILTER (WHERE {col} IS NULL{extra})"
    if metric == "duplicateValues":
        return f"count({col}) - count(DISTINCT {col})"
    if metric == "invalidValues":
        valid = [v for v in args.get("validValues") or [] if v is not None]
        if valid:
            return f"count(*) FILTER (WHERE {col} IS NOT NULL AND {col}::text NOT IN ({', '.join(literal(str(v)) for v in valid)}))"
        if args.get("pattern"):
            return f"count(*) FILTER (WHERE {col} IS NOT NULL AND {col}::text !~ {literal(args['pattern'])})"
    return None


def verdict_of(rule: dict, observed, total=None) -> tuple[str, str]:
    value = observed
    if rule.get("unit") == "percent" and total:
        value = round(100.0 * observed / total, 4)
    ops = [(name, rule[name]) for name in OPERATORS if name in rule]
    if not ops and rule.get("metric") in COUNT_METRICS:
        ops = [("mustBe", 0)]
    if not ops:
        return UNKNOWN, f"observed {value}; the rule states no operator"
    for name, expected in ops:
        try:
            ok = OPERATORS[name](value, expected)
        except TypeError:
            return UNKNOWN, f"observed {value!r}, cannot compare with {name} {expected!r}"
        if not ok:
            return VIOLATED, f"observed {value}{'%' if rule.get('unit') == 'percent' else ''}, {name} {expected}"
    return MET, f"observed {value}{'%' if rule.get('unit') == 'percent' else ''}"


def _rules(obj: dict):
    """(label, column or None, rule) for the object's and its properties' quality rules."""
    name = odcs.object_name(obj)
    for rule in obj.get("quality") or []:
        if isinstance(rule, dict):
            yield f"{name} quality {rule.get('metric') or rule.get('type')}", None, rule
    for prop in obj.get("properties") or []:
        column = str(prop.get("physicalName") or prop.get("name"))
        for rule in prop.get("quality") or []:
            if isinstance(rule, dict):
                yield f"{name}.{column} quality {rule.get('metric') or rule.get('type')}", column, rule


def run_query_value(port, sql: str):
    """(first row, error) of ``sql`` through the lab runner."""
    from apps.lab.runner import run_query

    try:
        result = run_query(ACTOR, port, sql, row_cap=1)
    except ActionError as exc:
        return None, exc.message
    if not result.ok:
        return None, result.error
    return (result.rows[0] if result.rows else None), ""


def check_dataset_quality(version, port, dataset, obj) -> list[dict]:
    """Every quality rule of ``obj`` judged against the data of ``dataset``."""
    table = dataset.name.split(".", 1)[1] if dataset.name.count(".") >= 2 else dataset.name
    clauses, library = [], []
    for label, column, rule in _rules(obj):
        if rule.get("type", "library") == "sql" and rule.get("query"):
            sql = str(rule["query"]).replace("{object}", table).replace("{property}", quote(column) if column else "")
            row, error = run_query_value(port, sql)
            if error or not row:
                clauses.append(_clause(label, "quality", UNKNOWN, (error or "no row returned")[:300]))
            else:
                verdict, evidence = verdict_of(rule, row[0])
                clauses.append(_clause(label, "quality", verdict, evidence))
        elif rule.get("metric"):
            expression = metric_expression(rule, column)
            if expression is None:
                clauses.append(
                    _clause(label, "quality", UNKNOWN, f"metric {rule.get('metric')} cannot be computed here")
                )
            else:
                library.append((label, rule, expression))
        else:
            clauses.append(_clause(label, "quality", UNKNOWN, "a text or custom rule: a person checks it"))
    if library:
        select = ", ".join(["count(*)"] + [e for _, _, e in library])
        row, error = run_query_value(port, f"SELECT {select} FROM {table}")
        for i, (label, rule, _) in enumerate(library):
            if error or row is None:
                clauses.append(_clause(label, "quality", UNKNOWN, (error or "no row returned")[:300]))
            else:
                verdict, evidence = verdict_of(rule, row[i + 1], total=row[0])
                clauses.append(_clause(label, "quality", verdict, evidence))
    return clauses


def run_quality_checks(contract) -> list[CheckRun]:
    """Run the active version's quality rules on every dataset of the bound port; append the runs."""
    from apps.contracts.checks import _record_verdicts, save_runs

    version = contract.versions.filter(status=ContractStatus.ACTIVE).first()
    port = contract.port
    if version is None or port is None:
        return []
    now = timezone.now()
    runs = []
    for dataset in port.datasets.filter(removed_at__isnull=True, platform="postgres"):
        obj = match_object(version.document, dataset.name, dataset.short_name)
        if obj is None:
            continue
        clauses = check_dataset_quality(version, port, dataset, obj)
        if clauses:
            runs.append(_run(version, dataset, obj, clauses, None, CheckRun.Trigger.SCHEDULE, now))
    if runs:
        save_runs(runs)
        _record_verdicts(runs, now)
    return runs
