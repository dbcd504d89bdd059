"""The MySQL / MariaDB harvester: a constant number of set-based information_schema queries per run.

Config: ``dsn`` (mysql://user@host:port; the password as the ``password`` secret, in
``password_env``, or — moved into the secrets when the source is saved — in the DSN),
``include_schemas`` / ``exclude_schemas`` (globs), ``statement_timeout_ms``,
``connect_timeout_s``, ``reader_dsn`` (the lab's read-only user, secret ``reader_password``).
Datasets are named as OpenLineage does: ``mysql://host:port`` and ``db.table``.
"""

from fnmatch import fnmatchcase

from apps.harvest.harvesters.base import ConnectionCheck, Harvester, SourceError, register_harvester
from apps.harvest.harvesters.mysql import queries
from apps.harvest.harvesters.mysql.build import RecordBuilder
from apps.harvest.harvesters.mysql.config import SYSTEM_SCHEMAS, split_password, target, validate
from apps.harvest.harvesters.mysql.connect import classify, connect, is_mariadb

SETUP_STATEMENTS = 5  # version, timeout, isolation, time zone, start transaction (see connect())


@register_harvester
class MySQLHarvester(Harvester):
    """Reads databases, tables, views, columns, keys, indexes, partitions and view lineage of one server."""

    kind = "mysql"
    secret_fields = ("password", "reader_password")

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        return validate(config)

    @classmethod
    def split_secrets(cls, config: dict) -> tuple[dict, dict]:
        config, secrets = super().split_secrets(config)
        config, from_dsn = split_password(config)
        return config, {**from_dsn, **secrets}

    def _connect(self):
        conn = connect(self.config, self.secrets)
        self.queries_sent += SETUP_STATEMENTS
        return conn

    def _query(self, conn, sql: str, params=None) -> list[tuple]:
        import pymysql  # loaded with the first connection (connect.py), not by the registry at start-up

        self.queries_sent += 1
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return list(cur.fetchall())
        except pymysql.Error as exc:
            raise classify(exc) from None

    def _schemas(self, conn) -> list[str]:
        include, exclude = self.config["include_schemas"], self.config["exclude_schemas"]
        return [
            name
            for name, _, _ in self._query(conn, queries.SCHEMATA)
            if name.lower() not in SYSTEM_SCHEMAS
            and (not include or any(fnmatchcase(name, p) for p in include))
            and not any(fnmatchcase(name, p) for p in exclude)
        ]

    def test_connection(self) -> ConnectionCheck:
        where = target(self.config)
        try:
            conn = self._connect()
            try:
                schemas = self._schemas(conn)
            finally:
                conn.close()
        except SourceError as exc:
            return ConnectionCheck(ok=False, stage=exc.stage, message=str(exc))
        if not schemas:
            return ConnectionCheck(
                ok=False,
                stage="permission",
                message=f"Connected as '{where.user}', but it may read no database it selects (grant SELECT, SHOW VIEW on the databases to catalog).",
            )
        return ConnectionCheck(
            ok=True,
            message=f"Connected as '{where.user}' ({conn.server_version_text}): {len(schemas)} database(s) readable.",
        )

    def extract(self):
        where = target(self.config)
        conn = self._connect()
        try:
            schemas = self._schemas(conn)
            params = {"schemas": tuple(schemas) or ("",)}
            flavour = queries.catalog(is_mariadb(conn.server_version_text))
            facts = {name: self._query(conn, sql, params) for name, sql in flavour}
        finally:
            conn.close()
        yield from RecordBuilder(where, facts).records()
