"""The lab's query runner: safe by construction, every run logged.

Locks, in order: the user may query the port (grant for restricted/confidential
products), a per-user rate limit, sqlglot says it is one SELECT over the port's tables,
then PostgreSQL runs it through a dedicated connection in a ``READ ONLY`` transaction with
a ``statement_timeout``, through a server-side cursor from which at most ``cap + 1`` rows
are fetched. The connection is closed after every run, so no session state survives.
"""

import time
import uuid
from dataclasses import dataclass, field

import psycopg
from django.conf import settings
from django.core.cache import cache

from apps.catalog.models import Port
from apps.core.errors import ActionError, PermissionDeniedError
from apps.governance.access import query_access
from apps.lab.access import check_table_access
from apps.lab.models import QueryRun, RunStatus
from apps.lab.reader_privileges import require_least_privilege
from apps.lab.readers import CONFIGURE_HINT, Reader, port_tables, reader_for_port
from apps.lab.result_filters import apply_result_filters
from apps.lab.sql_checks import QueryRefused, check_query

CURSOR_PREFIX = "DECLARE mesh_lab_cursor NO SCROLL CURSOR WITHOUT HOLD FOR "
APP_NAME_PREFIX = "mesh-lab:"


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


def _log(user, port, sql, *, token, sample_query=None, status=RunStatus.RUNNING, error="", client="web") -> QueryRun:
    return QueryRun.objects.create(
        client=client,
        token=token or uuid.uuid4().hex,
        user=user if getattr(user, "pk", None) else None,
        product_id=port.product_id,
        port=port,
        sample_query=sample_query,
        sql=sql,
        status=status,
        error=error,
    )


def _refused(user, port, sql, token, sample_query, exc: ActionError, client="web") -> RunResult:
    run = _log(
        user,
        port,
        sql,
        token=token,
        sample_query=sample_query,
        status=RunStatus.REFUSED,
        error=exc.message,
        client=client,
    )
    return RunResult(run=run, error=exc.message, position=getattr(exc, "position", None))


def prepare(user, port: Port) -> tuple[Reader, list]:
    """Permission, rate limit and reader for ``port``; raises an ActionError when refused."""
    if getattr(user, "is_authenticated", False):
        _check_rate(user)  # first, so that even refused attempts are bounded (each is logged)
    access = query_access(user, port)
    if not access.allowed:
        raise PermissionDeniedError(access.reason)
    datasets = list(port.datasets.select_related("source"))
    tables = port_tables(port, datasets)
    if not tables:
        raise ReaderNotConfigured("This port exposes no PostgreSQL tables to query.")
    reader = reader_for_port(port, datasets)
    if reader is None:
        raise ReaderNotConfigured(CONFIGURE_HINT)
    return reader, tables


def run_query(
    user,
    port: Port,
    sql: str,
    *,
    token: str | None = None,
    sample_query=None,
    row_cap: int | None = None,
    client: str = "web",
) -> RunResult:
    """Run ``sql`` on ``port`` for ``user``; refusals and database errors come back in the result.

    Raises only for the caller's mistakes that are not worth a log row: no permission,
    rate limit, or a port the lab cannot reach (ActionError subclasses).
    """
    token = token or uuid.uuid4().hex
    sql = (sql or "").strip()
    try:
        reader, tables = prepare(user, port)
    except PermissionDeniedError as exc:
        _log(
            user,
            port,
            sql,
            token=token,
            sample_query=sample_query,
            status=RunStatus.REFUSED,
            error=exc.message,
            client=client,
        )
        raise
    try:
        check_table_access(user, port, check_query(sql, tables))
    except QueryRefused as exc:
        return _refused(user, port, sql, token, sample_query, exc, client)
    run = _log(user, port, sql, token=token, sample_query=sample_query, client=client)
    result = RunResult(run=run)
    started = time.perf_counter()
    try:
        _execute(reader, tables, sql, run, result, row_cap or settings.MESH_LAB_ROW_CAP)
        apply_result_filters(user, port, sql, result)  # masking (apps.privacy registers it)
        run.status = RunStatus.SUCCEEDED if result.ok else RunStatus.REFUSED
    except psycopg.errors.QueryCanceled as exc:
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
        del exc
    except psycopg.OperationalError as exc:
        run.status = RunStatus.FAILED
        result.error = f"Could not reach the reader of source {reader.source_name}: {_primary(exc)}"
    except psycopg.Error as exc:
        run.status = RunStatus.FAILED
        result.error = _primary(exc)
        result.position = _user_position(exc)
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


# --- execution ---------------------------------------------------------------------------


def _execute(reader: Reader, tables, sql: str, run: QueryRun, result: RunResult, row_cap: int) -> None:
    search_path = ", ".join(dict.fromkeys(f'"{t.schema}"' for t in tables if t.schema)) or "public"
    timeout = settings.MESH_LAB_STATEMENT_TIMEOUT_MS
    # autocommit so that psycopg sends nothing implicit: we open the read-only
    # transaction ourselves and closing the connection discards it.
    with psycopg.connect(
        **reader.connect_kwargs(),
        autocommit=True,
        connect_timeout=5,
        application_name=(APP_NAME_PREFIX + run.token)[:63],
    ) as conn:
        QueryRun.objects.filter(pk=run.pk).update(backend_pid=conn.info.backend_pid)
        require_least_privilege(conn, tables)
        with conn.cursor() as cur:
            cur.execute("BEGIN READ ONLY")
            cur.execute(
                "SELECT set_config('statement_timeout', %s, true), set_config('lock_timeout', %s, true),"
                " set_config('idle_in_transaction_session_timeout', %s, true), set_config('search_path', %s, true)",
                (str(timeout), str(timeout), str(timeout * 2), "pg_catalog, " + search_path),
            )
            # binary=True makes psycopg use the extended protocol, which refuses a second
            # statement even if one ever slipped past the parser.
            cur.execute((CURSOR_PREFIX + sql.rstrip().rstrip(";")).encode(), binary=True)
            cur.execute(f"FETCH FORWARD {int(row_cap) + 1} FROM mesh_lab_cursor")
            result.columns = [d.name for d in cur.description or []]
            rows = cur.fetchall()
            cur.execute("ROLLBACK")
    if len(rows) > row_cap:
        rows, result.truncated = rows[:row_cap], "rows"
    byte_cap, size = settings.MESH_LAB_BYTE_CAP, 0
    out = []
    for row in rows:
        size += sum(len(str(v)) for v in row if v is not None) + len(row)
        if size > byte_cap:
            result.truncated = "bytes"
            break
        out.append(list(row))
    result.rows = out


def _primary(exc: psycopg.Error) -> str:
    diag = getattr(exc, "diag", None)
    message = (diag.message_primary if diag else None) or str(exc).split("\n")[0]
    hint = diag.message_hint if diag else None
    return f"{message} (hint: {hint})" if hint else message


def _user_position(exc: psycopg.Error) -> int | None:
    diag = getattr(exc, "diag", None)
    pos = diag.statement_position if diag else None
    if not pos:
        return None
    pos = int(pos) - len(CURSOR_PREFIX)
    return pos if pos > 0 else None


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
    """Cancel the user's running query ``token``; True when a backend was signalled.

    Cancels through a fresh connection of the same reader role (a role may cancel its
    own backends) and only the backend whose application_name carries the token, so a
    recycled pid is never hit.
    """
    run = QueryRun.objects.select_related("port").filter(token=token, user_id=getattr(user, "pk", None)).first()
    if run is None or run.status != RunStatus.RUNNING:
        return False
    cache.set(f"lab:cancel:{token}", True, timeout=600)
    reader = reader_for_port(run.port) if run.port_id else None
    if reader is None:
        return False
    with psycopg.connect(**reader.connect_kwargs(), autocommit=True, connect_timeout=5) as conn:
        row = conn.execute(
            "SELECT bool_or(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
            ((APP_NAME_PREFIX + token)[:63],),
        ).fetchone()
    return bool(row and row[0])
