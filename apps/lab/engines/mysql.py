"""The MySQL / MariaDB lab engine: one checked SELECT on a fresh read-only connection.

Locks, on top of the runner's sqlglot check in the ``mysql`` dialect:

1. Refusals specific to MySQL (``refuse``): ``LOAD_FILE`` (reads server files),
   ``SELECT … INTO OUTFILE/DUMPFILE/@var``, locking reads (``FOR UPDATE`` / ``FOR SHARE``
   / ``LOCK IN SHARE MODE``), advisory locks and replication waits, ``BENCHMARK``.
2. The connection, built per run and closed afterwards: the source's reader user
   (``reader_dsn`` + secret ``reader_password``, else the harvest user), no multi-statement
   flag (the server itself refuses a second statement), ``START TRANSACTION READ ONLY``, and
   the server-side statement timeout — MariaDB's ``max_statement_time`` or MySQL's
   ``MAX_EXECUTION_TIME`` — with a client read timeout behind it.
3. An unbuffered cursor fetching at most ``cap + 1`` rows. The statement carries a
   ``/* mesh-lab:<token> */`` comment so that cancel finds it in the processlist (a user
   may ``KILL QUERY`` its own threads) from any process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from apps.lab.engines.base import Engine, EngineError, Execution, cap_rows
from apps.lab.sql_checks import QueryRefused, _position

# pymysql and sqlglot are imported where a query is checked or run, not at start-up: the
# engine registers in LabConfig.ready(), i.e. in every process.
if TYPE_CHECKING:
    from sqlglot import exp

CONFIGURE_HINT = (
    "To run queries here, the platform team configures a reader on the MySQL source that harvested "
    'these tables: config "reader_dsn" (e.g. mysql://lab_reader@host:3306) and secret "reader_password"; '
    "grant that user SELECT on the port's tables only."
)
FORBIDDEN_FUNCTIONS = frozenset(
    {
        "load_file",
        "benchmark",
        "get_lock",
        "release_lock",
        "release_all_locks",
        "is_free_lock",
        "is_used_lock",
        "master_pos_wait",
        "source_pos_wait",
        "master_gtid_wait",
        "wait_for_executed_gtid_set",
        "sys_exec",
        "sys_eval",
    }
)
TIMEOUT_ERRNOS = {1969, 3024, 1317}  # MariaDB max_statement_time, MySQL max_execution_time, KILL QUERY
UNREACHABLE_ERRNOS = {1045, 1044, 2003, 2005, 2006, 2013, 1040}
TOKEN_COMMENT = "/* mesh-lab:{token} */ "
INTO_FILE = re.compile(r"\binto\s+(outfile|dumpfile)\b", re.IGNORECASE)


@dataclass(frozen=True)
class MySQLReader:
    """A resolved reader connection for one port; the password never shows in ``repr``."""

    source_name: str
    host: str
    port: int
    user: str
    password: str = field(default="", repr=False)

    @property
    def display(self) -> dict:
        return {"host": self.host, "port": str(self.port), "user": self.user}

    def connect(self, timeout_ms: int):
        import pymysql

        return pymysql.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            connect_timeout=5,
            read_timeout=max(2, timeout_ms // 1000 + 3),
            charset="utf8mb4",
            autocommit=True,
            program_name="mesh-lab",
        )


def reader_from_source(source) -> MySQLReader | None:
    from apps.harvest.harvesters.mysql.config import parse_dsn, password

    config, secrets = source.config or {}, source.secrets or {}
    try:
        if config.get("reader_dsn"):
            where, _ = parse_dsn(config["reader_dsn"])
            secret = secrets.get("reader_password", "")
        elif config.get("dsn"):
            where, _ = parse_dsn(config["dsn"])
            secret = password(config, secrets)
        else:
            return None
    except Exception:  # a source whose config no longer parses has no reader
        return None
    return MySQLReader(source.name, where.host, where.port, where.user, secret or "")


class MySQLEngine(Engine):
    """Queries MySQL/MariaDB datasets (``mysql://host:port`` + ``db.table``)."""

    kind = "mysql"
    dialect = "mysql"
    label = "MySQL / MariaDB"
    configure_hint = CONFIGURE_HINT
    forbidden_functions = FORBIDDEN_FUNCTIONS

    def reader(self, port, datasets):
        from apps.harvest.models import Source

        datasets = [d for d in datasets if self.queryable(d)]
        for d in datasets:
            if d.source is not None and d.source.kind == self.kind and d.source.enabled:
                reader = reader_from_source(d.source)
                if reader is not None:
                    return reader
        wanted = {d.namespace for d in datasets}
        for source in Source.objects.filter(kind=self.kind, enabled=True).order_by("name"):
            reader = reader_from_source(source)
            if reader is not None and f"mysql://{reader.host}:{reader.port}" in wanted:
                return reader
        return None

    def check(self, sql: str, tables) -> exp.Expression:
        # sqlglot does not parse INTO OUTFILE/DUMPFILE: say what is refused rather than "does not parse".
        found = INTO_FILE.search(sql)
        if found:
            raise QueryRefused(
                "SELECT … INTO OUTFILE / DUMPFILE is not allowed in the lab.", position=found.start() + 1, code="into"
            )
        return super().check(sql, tables)

    def refuse(self, sql: str, ast: exp.Expression) -> None:
        from sqlglot import exp

        super().refuse(sql, ast)
        for node in ast.walk():
            if isinstance(node, exp.Into) or (isinstance(node, exp.Select) and node.args.get("into")):
                raise QueryRefused(
                    "SELECT … INTO is not allowed in the lab.", position=_position(sql, node), code="into"
                )
            if isinstance(node, exp.Lock):
                raise QueryRefused(
                    "Locking reads (FOR UPDATE / FOR SHARE) are not allowed in the lab.",
                    position=_position(sql, node),
                    code="locking_read",
                )

    def execute(self, reader, tables, sql, *, token, row_cap, byte_cap, timeout_ms, on_start=None) -> Execution:
        import pymysql
        import pymysql.cursors

        try:
            conn = reader.connect(timeout_ms)
        except pymysql.Error as exc:
            raise EngineError(_message(exc), kind="unreachable") from None
        try:
            with conn.cursor() as cur:
                cur.execute("select version()")
                if "mariadb" in cur.fetchone()[0].lower():
                    cur.execute(f"set session max_statement_time = {timeout_ms / 1000:.3f}")
                else:
                    cur.execute(f"set session max_execution_time = {int(timeout_ms)}")
                cur.execute("start transaction read only")
            if on_start is not None:
                on_start(conn.thread_id())
            with conn.cursor(pymysql.cursors.SSCursor) as cur:
                cur.execute(TOKEN_COMMENT.format(token=_safe(token)) + sql.rstrip().rstrip(";"))
                columns = [d[0] for d in cur.description or []]
                rows = cur.fetchmany(int(row_cap) + 1)
        except pymysql.err.OperationalError as exc:
            errno = exc.args[0] if exc.args else None
            if errno in TIMEOUT_ERRNOS or "timed out" in str(exc):
                raise EngineError("statement timeout", kind="timeout") from None
            if errno in UNREACHABLE_ERRNOS:
                raise EngineError(_message(exc), kind="unreachable") from None
            raise EngineError(_message(exc)) from None
        except pymysql.Error as exc:
            raise EngineError(_message(exc)) from None
        finally:
            try:
                conn.close()  # ends the read-only transaction and any unread rows
            except Exception:
                pass
        rows, truncated = cap_rows(rows, row_cap, byte_cap)
        return Execution(columns=columns, rows=rows, truncated=truncated)

    def cancel(self, reader, token: str) -> bool:
        """``KILL QUERY`` the reader's thread whose statement carries the token."""
        import pymysql

        marker = TOKEN_COMMENT.format(token=_safe(token)).strip()
        try:
            conn = reader.connect(5000)
        except pymysql.Error:
            return False
        try:
            with conn.cursor() as cur:
                cur.execute(
                    "select id from information_schema.processlist where info like %s and id <> connection_id()",
                    (marker.replace("%", r"\%").replace("_", r"\_") + "%",),
                )
                ids = [row[0] for row in cur.fetchall()]
                for thread in ids:
                    cur.execute(f"kill query {int(thread)}")
            return bool(ids)
        except pymysql.Error:
            return False
        finally:
            conn.close()

    def snippets(self, port, datasets, example_sql, first_table=None):
        from apps.lab.snippets import mysql_snippets

        reader = self.reader(port, datasets)
        host, port_number = (reader.host, reader.port) if reader else ("localhost", 3306)
        database = first_table.schema if first_table is not None else ""
        return mysql_snippets(host, port_number, database, example_sql)


def _safe(token: str) -> str:
    """Tokens are uuid hex; anything else is reduced to what cannot end a comment."""
    return re.sub(r"[^A-Za-z0-9_-]", "", token)[:64]


def _message(exc: Exception) -> str:
    args = getattr(exc, "args", ())
    text = str(args[1]) if len(args) > 1 else str(exc)
    return text.replace(TOKEN_COMMENT.split("{", 1)[0], "").strip()[:500]
