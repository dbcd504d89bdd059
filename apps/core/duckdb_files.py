"""How a DuckDB database file is located and named, shared by the harvester and the lab.

A source's ``path`` may be absolute or relative to the project directory (``BASE_DIR``).
Its datasets are named as OpenLineage names file-based databases: the namespace is
``duckdb://`` + the file's absolute path (``duckdb:///srv/wh/sales.duckdb``), the name
``<database>.<schema>.<table>``, where ``database`` is the catalog name the file is
attached under (DuckDB's default: the file name without its extension).
"""

from pathlib import Path

from django.conf import settings

AUTOLOAD_OFF = {
    "autoinstall_known_extensions": "false",
    "autoload_known_extensions": "false",
    "allow_community_extensions": "false",
}


def resolve_path(path: str) -> Path:
    """The absolute path of a configured DuckDB file (relative paths start at BASE_DIR)."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else (Path(settings.BASE_DIR) / p).resolve()


def namespace_of(path: str) -> str:
    return "duckdb://" + resolve_path(path).as_posix()


def default_database(path: str) -> str:
    """DuckDB's own catalog name for a file: its stem (``sales.duckdb`` → ``sales``)."""
    return Path(path).stem


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def connect_read_only(path: str, database: str, *, threads: int = 1, memory_limit: str = "512MB"):
    """A connection that can read ``path`` (attached READ_ONLY as ``database``) and nothing else.

    An in-memory database with extension auto-install/auto-load off, the file attached
    read-only, then ``enable_external_access = false`` (no file system, no network, no
    further ATTACH) and ``lock_configuration = true`` (no SET can undo any of it).
    Raises ``duckdb.Error`` (e.g. IOException for a missing or foreign file).
    """
    import duckdb

    con = duckdb.connect(
        ":memory:", config={"threads": str(max(1, threads)), "memory_limit": memory_limit, **AUTOLOAD_OFF}
    )
    try:
        con.execute(f"ATTACH {quote_literal(str(resolve_path(path)))} AS {quote_ident(database)} (READ_ONLY)")
        con.execute(f"USE {quote_ident(database)}")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con
