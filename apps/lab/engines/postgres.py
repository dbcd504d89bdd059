"""The PostgreSQL lab engine: the runner's original behaviour, behind the engine interface.

A dedicated connection per run (closed afterwards, so no session state survives), a
``READ ONLY`` transaction with ``statement_timeout``/``lock_timeout`` set locally, the
statement declared as a server-side cursor through the extended protocol (which refuses a
second statement even if one slipped past the parser), and at most ``cap + 1`` rows
fetched. Cancel signals only the backend whose ``application_name`` carries the token.
Readers: see ``apps.lab.readers``.
"""

import psycopg

from apps.lab.engines.base import Engine, EngineError, Execution, cap_rows

CURSOR_PREFIX = "DECLARE mesh_lab_cursor NO SCROLL CURSOR WITHOUT HOLD FOR "
APP_NAME_PREFIX = "mesh-lab:"


class PostgresEngine(Engine):
    """Queries PostgreSQL datasets through the source's reader role."""

    kind = "postgres"
    dialect = "postgres"
    label = "PostgreSQL"

    @property
    def configure_hint(self) -> str:
        from apps.lab.readers import CONFIGURE_HINT

        return CONFIGURE_HINT

    def reader(self, port, datasets):
        from apps.lab.readers import postgres_reader_for_port

        return postgres_reader_for_port(port, datasets)

    def execute(self, reader, tables, sql, *, token, row_cap, byte_cap, timeout_ms, on_start=None) -> Execution:
        try:
            return self.execute_unguarded(
                reader,
                tables,
                sql,
                token=token,
                row_cap=row_cap,
                byte_cap=byte_cap,
                timeout_ms=timeout_ms,
                on_start=on_start,
            )
        except psycopg.errors.QueryCanceled:
            raise EngineError("statement timeout", kind="timeout") from None
        except psycopg.OperationalError as exc:
            raise EngineError(_primary(exc), kind="unreachable") from None
        except psycopg.Error as exc:
            raise EngineError(_primary(exc), position=_user_position(exc)) from None

    def execute_unguarded(self, reader, tables, sql, *, token, row_cap, byte_cap, timeout_ms, on_start=None):
        """``execute`` letting psycopg's errors through (tests of the database-side lock use it)."""
        search_path = ", ".join(dict.fromkeys(f'"{t.schema}"' for t in tables if t.schema)) or "public"
        # autocommit so that psycopg sends nothing implicit: we open the read-only
        # transaction ourselves and closing the connection discards it.
        with psycopg.connect(
            **reader.connect_kwargs(),
            autocommit=True,
            connect_timeout=5,
            application_name=(APP_NAME_PREFIX + token)[:63],
        ) as conn:
            if on_start is not None:
                on_start(conn.info.backend_pid)
            with conn.cursor() as cur:
                cur.execute("BEGIN READ ONLY")
                cur.execute(
                    "SELECT set_config('statement_timeout', %s, true), set_config('lock_timeout', %s, true),"
                    " set_config('idle_in_transaction_session_timeout', %s, true),"
                    " set_config('search_path', %s, true)",
                    (str(timeout_ms), str(timeout_ms), str(timeout_ms * 2), search_path + ", pg_catalog"),
                )
                cur.execute((CURSOR_PREFIX + sql.rstrip().rstrip(";")).encode(), binary=True)
                cur.execute(f"FETCH FORWARD {int(row_cap) + 1} FROM mesh_lab_cursor")
                columns = [d.name for d in cur.description or []]
                rows = cur.fetchall()
                cur.execute("ROLLBACK")
        rows, truncated = cap_rows(rows, row_cap, byte_cap)
        return Execution(columns=columns, rows=rows, truncated=truncated)

    def cancel(self, reader, token: str) -> bool:
        """Cancel through a fresh connection of the same reader role (a role may cancel its own backends)."""
        with psycopg.connect(**reader.connect_kwargs(), autocommit=True, connect_timeout=5) as conn:
            row = conn.execute(
                "SELECT bool_or(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
                ((APP_NAME_PREFIX + token)[:63],),
            ).fetchone()
        return bool(row and row[0])

    def snippets(self, port, datasets, example_sql, first_table=None):
        from apps.lab.snippets import postgres_snippets

        return postgres_snippets(port, example_sql, first_table)


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
