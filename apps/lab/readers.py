"""Where a port's queries run: the reader connection configured on the harvested source.

A PostgreSQL source may carry a dedicated, least-privilege reader for the lab:
``source.config["reader_dsn"]`` (non-secret: host, port, user, database) and
``source.secrets["reader_password"]``. Without them the lab falls back to the source's
harvest connection (``config["dsn"]`` and ``secrets["password"]``). Passwords are only
ever handed to psycopg, never rendered or logged.
"""
from dataclasses import dataclass

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from apps.catalog.models import Port
from apps.lab.sql_checks import PortTable, port_table

CONFIGURE_HINT = (
    "To run queries here, the platform team configures a reader on the PostgreSQL source "
    "that harvested these tables: config \"reader_dsn\" (e.g. postgresql://lab_reader@host:5432/db) "
    "and secret \"reader_password\"; grant that role SELECT on the port's tables only."
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
        return {"host": params.get("host", "localhost"), "port": str(params.get("port", "5432")), "user": params.get("user", ""), "dbname": self.database or params.get("dbname", "")}


def port_tables(port: Port, datasets=None) -> list[PortTable]:
    datasets = port.datasets.all() if datasets is None else datasets
    return [port_table(d.name) for d in datasets if d.platform == "postgres" and d.removed_at is None]


def reader_for_port(port: Port, datasets=None) -> Reader | None:
    """The reader of the first PostgreSQL source behind the port's datasets, if configured."""
    datasets = list(port.datasets.select_related("source") if datasets is None else datasets)
    tables = port_tables(port, datasets)
    for dataset in datasets:
        source = dataset.source
        if source is None or source.kind != "postgres" or dataset.platform != "postgres":
            continue
        config, secrets = source.config or {}, source.secrets or {}
        dsn = config.get("reader_dsn") or config.get("dsn")
        if not dsn:
            continue
        # The harvest password belongs to the harvest user: never send it with the reader's DSN.
        password = (secrets.get("reader_password") if config.get("reader_dsn") else secrets.get("password")) or None
        database = port_table(dataset.name).database or (tables[0].database if tables else "")
        return Reader(source_name=source.name, conninfo=dsn, database=database, password=password)
    return None
