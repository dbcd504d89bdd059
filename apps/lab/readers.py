"""Where a port's queries run: the reader connection configured on the harvested source.

``port_tables`` and ``reader_for_port`` answer for whichever engine the port resolves to
(``apps.lab.engines.resolve``); the rest of this module is the PostgreSQL engine's reader.

A PostgreSQL source may carry a dedicated, least-privilege reader for the lab:
``source.config["reader_dsn"]`` (non-secret: host, port, user, database) and
``source.secrets["reader_password"]``. Without them the lab falls back to the source's
harvest connection (``config["dsn"]`` with ``secrets["password"]`` or ``config["password_env"]``). Passwords are only
ever handed to psycopg, never rendered or logged.
"""

import os
from dataclasses import dataclass

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from apps.catalog.models import Port
from apps.lab.engines.base import dataset_engine_kind
from apps.lab.sql_checks import PortTable, port_table

CONFIGURE_HINT = (
    "To run queries here, the platform team configures a reader on the PostgreSQL source "
    'that harvested these tables: config "reader_dsn" (e.g. postgresql://lab_reader@host:5432/db) '
    'and secret "reader_password"; grant that role SELECT on the port\'s tables only.'
)


@dataclass(frozen=True)
class Reader:
    """A resolved reader connection for one port (password kept out of ``repr``)."""

    source_name: str
    conninfo: str
    database: str
    password: str | None = None

    def __repr__(self):
        return f"Reader(source={self.source_name!r}, database={self.database!r})"

    def connect_kwargs(self) -> dict:
        kwargs = {"conninfo": make_conninfo(self.conninfo, dbname=self.database) if self.database else self.conninfo}
        if self.password:
            kwargs["password"] = self.password
        return kwargs

    @property
    def display(self) -> dict:
        """Non-secret parts of the connection, for snippets."""
        params = conninfo_to_dict(self.conninfo)
        params.pop("password", None)
        return {
            "host": params.get("host", "localhost"),
            "port": str(params.get("port", "5432")),
            "user": params.get("user", ""),
            "dbname": self.database or params.get("dbname", ""),
        }


def port_tables(port: Port, datasets=None) -> list[PortTable]:
    """The tables the port exposes on its engine (any warehouse kind)."""
    from apps.lab.engines import resolve

    return resolve(port, datasets, with_reader=False).tables


def reader_for_port(port: Port, datasets=None):
    """The reader of the port's engine, or None when none is configured (any warehouse kind)."""
    from apps.lab.engines import resolve

    return resolve(port, datasets).reader


def _reader_from_source(source, database: str) -> Reader | None:
    config, secrets = source.config or {}, source.secrets or {}
    dsn = config.get("reader_dsn") or config.get("dsn")
    if not dsn:
        return None
    if config.get("reader_dsn"):
        password = secrets.get("reader_password")
    else:  # the harvest connection: its own password (secret or environment variable)
        password = secrets.get("password") or (
            os.environ.get(config["password_env"]) if config.get("password_env") else None
        )
    return Reader(source_name=source.name, conninfo=dsn, database=database, password=password or None)


def _source_target(source) -> tuple[str, str] | None:
    """(namespace, database) a PostgreSQL source harvests, from its DSN."""
    try:
        params = conninfo_to_dict(source.config.get("dsn", ""))
    except Exception:
        return None
    return f"postgres://{params.get('host') or 'localhost'}:{params.get('port') or 5432}", params.get("dbname", "")


def postgres_reader_for_port(port: Port, datasets=None) -> Reader | None:
    """The reader of the PostgreSQL source behind the port's datasets, if one is configured.

    A dataset's ``source`` may be the dbt project that documents it; then the PostgreSQL
    source harvesting the same database (same namespace and database name) is used.
    """
    from apps.harvest.models import Source

    datasets = [
        d
        for d in (port.datasets.select_related("source") if datasets is None else datasets)
        if d.removed_at is None and dataset_engine_kind(d) == "postgres"
    ]
    for dataset in datasets:
        source = dataset.source
        if source is not None and source.kind == "postgres":
            reader = _reader_from_source(source, port_table(dataset.name).database)
            if reader is not None:
                return reader
    wanted = {(d.namespace, port_table(d.name).database) for d in datasets}
    if not wanted:
        return None
    for source in Source.objects.filter(kind="postgres", enabled=True).order_by("name"):
        target = _source_target(source)
        if target in wanted:
            reader = _reader_from_source(source, target[1])
            if reader is not None:
                return reader
    return None
