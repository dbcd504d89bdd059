"""The lab's query runner: safe by construction, every run logged.

Locks, in order: the user may query the port (grant for restricted/confidential
products), a per-user rate limit, sqlglot says it is one SELECT over the port's tables
(in the engine's dialect, plus the engine's own refusals), then the port's engine
(``apps.lab.engines``: PostgreSQL, DuckDB, …) runs it read-only with a statement timeout,
a row cap and a byte cap. The engine is picked from the port's datasets.
"""

import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache

from apps.catalog.models import Port
from apps.core.errors import ActionError, PermissionDeniedError
from apps.governance.access import query_access
from apps.lab.engines import EngineError, Resolution, resolve
from apps.lab.models import QueryRun, RunStatus
from apps.lab.sql_checks import QueryRefused


class RateLimited(ActionError):
    code = "rate_limited"


class ReaderNotConfigured(ActionError):
    code = "not_configured"


@dataclass
class RunResult:
    """What a run returns to the page: rows and columns, or the database's error."""

    run: QueryRun
    columns: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    truncated: str = ""  # "", "rows" or "bytes"
    error: str = ""
    position: int | None = None

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def row_count(self) -> int:
        return len(self.rows)


# --- checks before running ---------------------------------------------------------------


def _check_rate(user) -> None:
    limit = settings.MESH_LAB_RATE_LIMIT_PER_MINUTE
    if limit <= 0:
        return
    key = f"lab:rate:{user.pk}:{int(time.time() // 60)}"
    if cache.add(key, 1, timeout=70):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=70)
            count = 1
    if count > limit:
        raise RateLimited(f"You ran {limit} queries in the last minute; wait a moment and try again.")


def _log(user, port, sql, *, token, sample_query=None, status=RunStatus.RUNNING, error="") -> QueryRun:
    return QueryRun.objects.create(
        token=token or uuid.uuid4().hex,
        user=user if getattr(user, "pk", None) else None,
        product_id=port.product_id,
        port=port,
        sample_query=sample_query,
        sql=sql,
        status=status,
        error=error,
    )


def _refused(user, port, sql, token, sample_query, exc: ActionError) -> RunResult:
    run = _log(user, port, sql, token=token, sample_query=sample_query, status=RunStatus.REFUSED, error=exc.message)
    return RunResult(run=run, error=exc.message, position=getattr(exc, "position", None))


def prepare(user, port: Port) -> Resolution:
    """Permission, rate limit, engine and reader for ``port``; raises an ActionError when refused."""
    if getattr(user, "is_authenticated", False):
        _check_rate(user)  # first, so that even refused attempts are bounded (each is logged)
    access = query_access(user, port)
    if not access.allowed:
        raise PermissionDeniedError(access.reason)
    resolution = resolve(port, list(port.datasets.select_related("source")))
    if not resolution.tables:
        raise ReaderNotConfigured("This port exposes no tables the lab can query.")
    if resolution.reader is None:
        raise ReaderNotConfigured(resolution.configure_hint)
    return resolution


def run_query(
    user, port: Port, sql: str, *, token: str | None = None, sample_query=None, row_cap: int | None = None
) -> RunResult:
    """Run ``sql`` on ``port`` for ``user``; refusals and database errors come back in the result.

    Raises only for the caller's mistakes that are not worth a log row: no permission,
    rate limit, or a port the lab cannot reach (ActionError subclasses).
    """
    token = token or uuid.uuid4().hex
    sql = (sql or "").strip()
    try:
        resolution = prepare(user, port)
    except PermissionDeniedError as exc:
        _log(user, port, sql, token=token, sample_query=sample_query, status=RunStatus.REFUSED, error=exc.message)
        raise
    engine, reader, tables = resolution.engine, resolution.reader, resolution.tables
    try:
        engine.check(sql, tables)
    except QueryRefused as exc:
        return _refused(user, port, sql, token, sample_query, exc)
    run = _log(user, port, sql, token=token, sample_query=sample_query)
    result = RunResult(run=run)
    started = time.perf_counter()
    try:
        execution = engine.execute(
            reader,
            tables,
            sql,
            token=run.token,
            row_cap=row_cap or settings.MESH_LAB_ROW_CAP,
            byte_cap=settings.MESH_LAB_BYTE_CAP,
            timeout_ms=settings.MESH_LAB_STATEMENT_TIMEOUT_MS,
            on_start=lambda backend_id: QueryRun.objects.filter(pk=run.pk).update(backend_pid=backend_id),
        )
        result.columns, result.rows, result.truncated = execution.columns, execution.rows, execution.truncated
        run.status = RunStatus.SUCCEEDED
    except EngineError as exc:
        run.status = RunStatus.FAILED
        if exc.kind == "timeout":
            cancelled = cache.get(f"lab:cancel:{token}")
            run.status = RunStatus.CANCELLED if cancelled else RunStatus.FAILED
            result.error = (
                "Cancelled."
                if cancelled
                else (
                    f"Stopped after {settings.MESH_LAB_STATEMENT_TIMEOUT_MS / 1000:g} s (statement timeout). "
                    "Add a WHERE clause or a LIMIT, or ask the owners for an aggregate."
                )
            )
        elif exc.kind == "unreachable":
            result.error = f"Could not reach the reader of source {reader.source_name}: {exc.message}"
        else:
            result.error = exc.message
            result.position = exc.position
    run.duration_ms = int((time.perf_counter() - started) * 1000)
    run.rows = result.row_count
    run.truncated = bool(result.truncated)
    run.error = result.error
    run.backend_pid = None
    QueryRun.objects.filter(pk=run.pk).update(
        status=run.status,
        duration_ms=run.duration_ms,
        rows=run.rows,
        truncated=run.truncated,
        error=run.error,
        backend_pid=None,
    )
    if run.status == RunStatus.SUCCEEDED:
        _bump_popularity(port)
    return result


# --- after a run -------------------------------------------------------------------------


def _bump_popularity(port: Port) -> None:
    try:
        from apps.search.service import bump_popularity
    except ImportError:  # search not installed in this deployment
        return
    try:
        bump_popularity("product", port.product_id, 1)
    except Exception:
        pass


# --- cancel ------------------------------------------------------------------------------


def cancel_run(user, token: str) -> bool:
    """Cancel the user's running query ``token``; True when the engine signalled the run.

    The engine stops only the run carrying the token (PostgreSQL: the backend whose
    application_name carries it, so a recycled pid is never hit).
    """
    run = QueryRun.objects.select_related("port").filter(token=token, user_id=getattr(user, "pk", None)).first()
    if run is None or run.status != RunStatus.RUNNING:
        return False
    cache.set(f"lab:cancel:{token}", True, timeout=600)
    if not run.port_id:
        return False
    resolution = resolve(run.port)
    if resolution.reader is None:
        return False
    return resolution.engine.cancel(resolution.reader, token)
