"""Sampling column values through the port's read-only reader, with the lab's guard rails.

Per dataset one statement reads up to ``PER_COLUMN`` non-null values of each candidate
column (each cast to text and cut at 257 characters by the database) inside a ``READ
ONLY`` transaction with a ``statement_timeout``; at most ``max_connections`` connections are
open at once across all sources. Values live only in this process's memory long enough to
be counted by the validators; nothing but counts and warnings leaves this module.
"""

import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from threading import Lock

import psycopg
from psycopg import sql

from apps.lab.readers import Reader, reader_for_port
from apps.lab.sql_checks import port_table
from apps.privacy.detection.rules import BINARY, type_class
from apps.privacy.detection.values import MAX_VALUE_CHARS

PER_COLUMN = 100
DEFAULT_TIMEOUT_MS = 5000
DEFAULT_MAX_CONNECTIONS = 4
APP_NAME = "mesh-privacy-sample"


@dataclass
class DatasetToSample:
    """A dataset's identity and the columns to sample (id, name, data type)."""

    id: int
    name: str
    namespace: str
    platform: str
    source_id: int | None
    columns: list[tuple[int, str, str]]


@dataclass
class SampleReport:
    """Sampled values by column id (in memory only), and what went wrong, per dataset."""

    values: dict[int, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    datasets_sampled: int = 0
    columns_sampled: int = 0
    peak_connections: int = 0
    seconds: float = 0.0


def resolve_readers(datasets: list[DatasetToSample], sources: dict) -> tuple[dict, list[str]]:
    """Group datasets by the reader that can read them; warn about those nobody can."""
    groups: dict[Reader, list[DatasetToSample]] = defaultdict(list)
    warnings = []

    class _Shim:  # reader_for_port reads only these attributes of a dataset
        def __init__(self, d):
            self.name, self.namespace, self.platform, self.removed_at = d.name, d.namespace, d.platform, None
            self.source = sources.get(d.source_id)

    cache: dict = {}
    for d in datasets:
        if d.platform != "postgres":
            warnings.append(f"{d.name}: only PostgreSQL datasets can be sampled ({d.platform}).")
            continue
        key = (d.source_id, d.namespace, port_table(d.name).database)
        if key not in cache:
            cache[key] = reader_for_port(None, [_Shim(d)])
        reader = cache[key]
        if reader is None:
            warnings.append(f"{d.name}: no reader configured on its PostgreSQL source; not sampled.")
            continue
        groups[reader].append(d)
    return groups, warnings


def sample(
    datasets: list[DatasetToSample],
    sources: dict,
    *,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    per_column: int = PER_COLUMN,
) -> SampleReport:
    started = time.perf_counter()
    report = SampleReport()
    groups, report.warnings = resolve_readers(datasets, sources)
    jobs = []
    for reader, items in groups.items():
        # spread one source's datasets over the connections we may open
        share = max(1, min(max_connections, len(items)))
        for i in range(share):
            jobs.append((reader, items[i::share]))
    lock = Lock()
    open_now = [0]

    def run(job):
        reader, items = job
        with lock:
            open_now[0] += 1
            report.peak_connections = max(report.peak_connections, open_now[0])
        try:
            return _sample_with(reader, items, timeout_ms, per_column)
        finally:
            with lock:
                open_now[0] -= 1

    with ThreadPoolExecutor(max_workers=max(1, max_connections)) as pool:
        for values, warnings, n_datasets in pool.map(run, jobs):
            report.values.update(values)
            report.warnings += warnings
            report.datasets_sampled += n_datasets
    report.columns_sampled = len(report.values)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _sampling_statement(d: DatasetToSample, per_column: int) -> tuple[sql.Composed, list[int]]:
    t = port_table(d.name)
    table = sql.Identifier(t.schema, t.table) if t.schema else sql.Identifier(t.table)
    parts, ids = [], []
    for col_id, name, _ in d.columns:
        c = sql.Identifier(name)
        parts.append(
            sql.SQL(
                "(SELECT array_agg(v) FROM (SELECT left({c}::text, {n}) AS v FROM {t} WHERE {c} IS NOT NULL LIMIT {k}) s)"
            ).format(c=c, t=table, n=sql.Literal(MAX_VALUE_CHARS + 1), k=sql.Literal(per_column))
        )
        ids.append(col_id)
    return sql.SQL("SELECT ") + sql.SQL(", ").join(parts), ids


def _sample_with(reader: Reader, items: list[DatasetToSample], timeout_ms: int, per_column: int):
    values: dict[int, list[str]] = {}
    warnings: list[str] = []
    done = 0
    try:
        conn = psycopg.connect(**reader.connect_kwargs(), autocommit=True, connect_timeout=5, application_name=APP_NAME)
    except psycopg.Error as exc:
        names = ", ".join(d.name for d in items[:5]) + (" …" if len(items) > 5 else "")
        return {}, [f"Could not reach the reader of source {reader.source_name}: {_first_line(exc)} ({names})"], 0
    with conn, conn.cursor() as cur:
        cur.execute("BEGIN READ ONLY")
        cur.execute(
            "SELECT set_config('statement_timeout', %s, true), set_config('lock_timeout', %s, true),"
            " set_config('idle_in_transaction_session_timeout', %s, true)",
            (str(timeout_ms), str(timeout_ms), str(max(timeout_ms * 2, 10_000))),
        )
        for d in items:
            binary = [name for _, name, dtype in d.columns if type_class(dtype) == BINARY]
            if binary:
                warnings.append(f"{d.name}: binary columns not sampled ({', '.join(binary[:5])}).")
            d = DatasetToSample(
                d.id,
                d.name,
                d.namespace,
                d.platform,
                d.source_id,
                [c for c in d.columns if type_class(c[2]) != BINARY],
            )
            if not d.columns:
                continue
            statement, ids = _sampling_statement(d, per_column)
            outcome = _run_one(cur, statement, d.name, timeout_ms)
            if isinstance(outcome, str):
                warnings.append(outcome)
                if outcome.endswith(LOST):
                    break
                continue
            row = outcome
            done += 1
            long_values = 0
            for col_id, found in zip(ids, row, strict=False):
                kept = []
                for v in found or ():
                    if len(v) > MAX_VALUE_CHARS:
                        long_values += 1
                    kept.append(v)
                values[col_id] = kept
            if long_values:
                warnings.append(
                    f"{d.name}: {long_values} sampled values were longer than {MAX_VALUE_CHARS} characters."
                )
        try:
            cur.execute("ROLLBACK")
        except psycopg.Error:
            pass
    return values, warnings, done


LOST = "(connection lost)"


def _run_one(cur, statement, name: str, timeout_ms: int):
    """The sampled row, or a warning: a timeout or error skips the dataset, not the run."""
    try:
        cur.execute("SAVEPOINT mesh_sample")
        cur.execute(statement)
        row = cur.fetchone() or ()
        cur.execute("RELEASE SAVEPOINT mesh_sample")
        return row
    except psycopg.OperationalError as exc:
        return f"{name}: sampling failed: {_first_line(exc)} {LOST}"
    except psycopg.Error as exc:
        timed_out = isinstance(exc, psycopg.errors.QueryCanceled)
        try:
            cur.execute("ROLLBACK TO SAVEPOINT mesh_sample")
        except psycopg.Error as again:
            return f"{name}: sampling failed: {_first_line(again)} {LOST}"
        if timed_out:
            return f"{name}: sampling stopped after {timeout_ms / 1000:g} s (statement timeout)."
        return f"{name}: could not be sampled: {_first_line(exc)}"


def _first_line(exc: Exception) -> str:
    diag = getattr(exc, "diag", None)
    return (getattr(diag, "message_primary", None) or str(exc)).split("\n")[0][:300]
