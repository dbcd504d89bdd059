"""The DuckDB lab engine: a database file queried in-process, read-only, with nothing else reachable.

Locks, on top of the runner's sqlglot check in the ``duckdb`` dialect:

1. Refusals specific to DuckDB (``refuse``): file and table functions (``read_csv``,
   ``read_parquet``, ``read_json``, ``glob``, ``query()``, the scanners of other
   databases), ``getenv``, settings and secrets functions; a quoted file path in FROM is
   already refused by the table check (it is not one of the port's tables). Statements
   other than SELECT (COPY, ATTACH/DETACH, INSTALL/LOAD, SET/PRAGMA, EXPORT) never pass
   sql_checks.
2. The connection itself, built per run: an in-memory database with extension
   auto-install/auto-load off, ``memory_limit`` and ``threads`` capped, the file
   ``ATTACH``\\ ed ``READ_ONLY`` under the source's database name, then
   ``enable_external_access = false`` (no file system, no network, no further ATTACH)
   and ``lock_configuration = true`` (no SET can undo any of it).
3. The statement runs wrapped as a subquery (so it is exactly one SELECT even if the
   parser were fooled), at most ``cap + 1`` rows are fetched, and a timer calls
   ``interrupt()`` at the statement timeout. Cancel interrupts the run by token, in the
   process that runs it.
"""

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings

from apps.core.duckdb_files import connect_read_only, default_database, namespace_of, resolve_path
from apps.lab.engines.base import Engine, EngineError, Execution, cap_rows

if TYPE_CHECKING:  # imported where a query runs: the engine is registered at every start-up
    import duckdb

CONFIGURE_HINT = (
    "To run queries here, the platform team registers the DuckDB file as a source of kind "
    '"duckdb" (config "path"), harvests it, and makes the file readable by the catalog\'s process.'
)

FORBIDDEN_FUNCTIONS = frozenset(
    {
        # files and URLs
        "read_csv",
        "read_csv_auto",
        "sniff_csv",
        "read_parquet",
        "parquet_scan",
        "parquet_metadata",
        "parquet_schema",
        "parquet_file_metadata",
        "parquet_kv_metadata",
        "parquet_bloom_probe",
        "read_json",
        "read_json_auto",
        "read_json_objects",
        "read_json_objects_auto",
        "read_ndjson",
        "read_ndjson_auto",
        "read_ndjson_objects",
        "read_text",
        "read_blob",
        "read_xlsx",
        "glob",
        "iceberg_scan",
        "iceberg_metadata",
        "iceberg_snapshots",
        "delta_scan",
        "http_get",
        "http_post",
        # other databases
        "sqlite_scan",
        "sqlite_attach",
        "postgres_scan",
        "postgres_scan_pushdown",
        "postgres_attach",
        "postgres_query",
        "postgres_execute",
        "mysql_scan",
        "mysql_query",
        "mysql_execute",
        # SQL passed as a string bypasses the table check
        "query",
        "query_table",
        "json_execute_serialized_sql",
        # environment, settings, secrets, extensions
        "getenv",
        "current_setting",
        "duckdb_settings",
        "duckdb_secrets",
        "which_secret",
        "duckdb_extensions",
        "load_extension",
        "install_extension",
        "checkpoint",
        "force_checkpoint",
        "pragma_database_size",
        "duckdb_databases",
    }
)

_running: dict[str, "duckdb.DuckDBPyConnection"] = {}
_running_lock = threading.Lock()


@dataclass(frozen=True)
class DuckDBReader:
    """A DuckDB file to read for one port: the file and the catalog name to attach it under."""

    source_name: str
    path: str
    database: str

    @property
    def display(self) -> dict:
        return {"path": self.path, "database": self.database}


def reader_from_source(source) -> DuckDBReader | None:
    path = (source.config or {}).get("path")
    if not path:
        return None
    database = (source.config or {}).get("database") or default_database(path)
    return DuckDBReader(source_name=source.name, path=str(resolve_path(path)), database=database)


def connect(reader: DuckDBReader):
    """A hardened, read-only connection to ``reader``'s file (see the module docstring)."""
    return connect_read_only(
        reader.path,
        reader.database,
        threads=settings.MESH_LAB_DUCKDB_THREADS,
        memory_limit=settings.MESH_LAB_DUCKDB_MEMORY_LIMIT,
    )


class DuckDBEngine(Engine):
    """Queries datasets of a harvested DuckDB file (the embedded demo warehouse, or any file)."""

    kind = "duckdb"
    dialect = "duckdb"
    label = "DuckDB"
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
        if not wanted:
            return None
        # Datasets documented by dbt carry the dbt source: find the DuckDB source of the same file.
        for source in Source.objects.filter(kind=self.kind, enabled=True).order_by("name"):
            if (source.config or {}).get("path") and namespace_of(source.config["path"]) in wanted:
                return reader_from_source(source)
        return None

    def execute(self, reader, tables, sql, *, token, row_cap, byte_cap, timeout_ms, on_start=None) -> Execution:
        import duckdb

        try:
            con = connect(reader)
        except duckdb.Error as exc:
            raise EngineError(_message(exc), kind="unreachable") from None
        timer = threading.Timer(timeout_ms / 1000, con.interrupt)
        with _running_lock:
            _running[token] = con
        try:
            if on_start is not None:
                on_start(None)
            timer.start()
            # The newline keeps a trailing "-- comment" from swallowing the closing parenthesis.
            cur = con.execute(f"SELECT * FROM (\n{sql.rstrip().rstrip(';')}\n) AS mesh_lab_result")
            columns = [d[0] for d in cur.description or []]
            rows = cur.fetchmany(int(row_cap) + 1)
        except duckdb.InterruptException:
            raise EngineError("interrupted", kind="timeout") from None
        except duckdb.Error as exc:
            raise EngineError(_message(exc)) from None
        finally:
            timer.cancel()
            with _running_lock:
                _running.pop(token, None)
            con.close()
        rows, truncated = cap_rows(rows, row_cap, byte_cap)
        return Execution(columns=columns, rows=rows, truncated=truncated)

    def cancel(self, reader, token: str) -> bool:
        with _running_lock:
            con = _running.get(token)
        if con is None:
            return False
        con.interrupt()
        return True

    def snippets(self, port, datasets, example_sql, first_table=None):
        from apps.lab.snippets import duckdb_snippets

        reader = self.reader(port, datasets)
        return duckdb_snippets(reader.path if reader else (port.endpoint or "warehouse.duckdb"), example_sql)


def _message(exc: Exception) -> str:
    """DuckDB's message without the wrapper we added around the user's SQL."""
    text = str(exc).strip()
    for line in text.splitlines():
        if line.strip():
            return line.strip().replace("mesh_lab_result", "result")[:500]
    return type(exc).__name__
