"""Pick the search backend for the database in use (PostgreSQL in production, SQLite embedded)."""

from django.db import connection

from apps.search.backends.base import SearchBackend

_BACKENDS: dict[str, SearchBackend] = {}


def get_backend() -> SearchBackend:
    vendor = connection.vendor
    if vendor not in _BACKENDS:
        if vendor == "postgresql":
            from apps.search.backends.postgres import PostgresBackend

            _BACKENDS[vendor] = PostgresBackend()
        elif vendor == "sqlite":
            from apps.search.backends.sqlite import SqliteBackend

            _BACKENDS[vendor] = SqliteBackend()
        else:
            raise RuntimeError(f"Search has no backend for the {vendor!r} database.")
    return _BACKENDS[vendor]


__all__ = ["SearchBackend", "get_backend"]
