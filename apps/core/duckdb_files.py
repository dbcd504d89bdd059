"""How a DuckDB database file is located and named, shared by the harvester and the lab.

A source's ``path`` may be absolute or relative to the project directory (``BASE_DIR``).
Its datasets are named as OpenLineage names file-based databases: the namespace is
``duckdb://`` + the file's absolute path (``duckdb:///srv/wh/sales.duckdb``), the name
``<database>.<schema>.<table>``, where ``database`` is the catalog name the file is
attached under (DuckDB's default: the file name without its extension).
"""

from pathlib import Path

from django.conf import settings


def resolve_path(path: str) -> Path:
    """The absolute path of a configured DuckDB file (relative paths start at BASE_DIR)."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else (Path(settings.BASE_DIR) / p).resolve()


def namespace_of(path: str) -> str:
    return "duckdb://" + resolve_path(path).as_posix()


def default_database(path: str) -> str:
    """DuckDB's own catalog name for a file: its stem (``sales.duckdb`` → ``sales``)."""
    return Path(path).stem
