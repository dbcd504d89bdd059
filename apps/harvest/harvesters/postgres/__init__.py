"""The PostgreSQL harvester: a constant number of set-based pg_catalog queries per run.

Config: ``dsn`` (postgresql://user@host:port/db; the password as the ``password`` secret,
in ``password_env``, or — moved into the secrets when the source is saved — in the DSN),
``include_schemas`` / ``exclude_schemas`` (globs), ``statement_timeout_ms``,
``connect_timeout_s``. Datasets are named as OpenLineage does: ``postgres://host:port`` and
``db.schema.table``.

A run first asks the server for one digest per relation (``queries.DIGESTS``) and compares
it with the digests the pipeline stored last time (``known_digests``): relations whose digest
matches are reported as unchanged (a ``SourceDigest`` without a record), and columns and
constraints are read only for the others, so an unchanged re-harvest costs the digest query
alone. That query is server CPU, so it is read in two parts at once: the second on a helper
connection that imports the first's exported snapshot (one catalog state for both). With no
digest known (a first harvest) everything is read and the digests are computed while the
records are built.
"""

import threading
from concurrent.futures import ThreadPoolExecutor, wait
from fnmatch import fnmatchcase

import psycopg
from psycopg.sql import SQL, Literal

from apps.harvest.harvesters.base import ConnectionCheck, Harvester, SourceError, register_harvester
from apps.harvest.harvesters.postgres import queries
from apps.harvest.harvesters.postgres.build import RecordBuilder
from apps.harvest.harvesters.postgres.config import split_password, target, validate
from apps.harvest.harvesters.postgres.connect import classify, connect
from apps.harvest.records import DatasetRef, HarvestWarning, SourceDigest

_COUNT_LOCK = threading.Lock()


@register_harvester
class PostgresHarvester(Harvester):
    """Reads schemas, relations, columns, constraints and view lineage of one database."""

    kind = "postgres"
    secret_fields = ("password", "reader_password")
    # Tests set this to act between catalog queries (e.g. kill the connection): hook(name, conn).
    query_hook = None

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        return validate(config)

    @classmethod
    def split_secrets(cls, config: dict) -> tuple[dict, dict]:
        config, secrets = super().split_secrets(config)
        config, from_dsn = split_password(config)
        return config, {**from_dsn, **secrets}

    def _query(self, conn, name: str, statement, params=None) -> list[tuple]:
        with _COUNT_LOCK:  # two threads send queries while the digests are read in parts
            self.queries_sent += 1
        try:
            cursor = conn.execute(statement, params)
            rows = cursor.fetchall() if cursor.description is not None else []  # SET returns no rows
        except psycopg.Error as exc:
            raise classify(exc) from None
        if PostgresHarvester.query_hook is not None:
            PostgresHarvester.query_hook(name, conn)
        return rows

    def _schemas(self, conn) -> tuple[list[tuple], list[str]]:
        """(readable schemas to harvest, names skipped for lack of USAGE)."""
        include, exclude = self.config["include_schemas"], self.config["exclude_schemas"]
        chosen, denied = [], []
        for oid, name, usable, description in self._query(conn, "schemas", queries.SCHEMAS):
            if include and not any(fnmatchcase(name, p) for p in include):
                continue
            if any(fnmatchcase(name, p) for p in exclude):
                continue
            (chosen if usable else denied).append((oid, name, description) if usable else name)
        return chosen, denied

    def test_connection(self) -> ConnectionCheck:
        try:
            with connect(self.config, self.secrets, application_name="mesh-catalog-test-connection") as conn:
                dbname, user = self._query(conn, "database", queries.DATABASE)[0]
                chosen, denied = self._schemas(conn)
        except SourceError as exc:
            return ConnectionCheck(ok=False, stage=exc.stage, message=str(exc))
        if not chosen:
            return ConnectionCheck(
                ok=False,
                stage="permission",
                message=f"Connected to '{dbname}' as '{user}', but no schema it selects is readable (no USAGE privilege{': ' + ', '.join(denied) if denied else ''}).",
            )
        skipped = f"; skipped without USAGE: {', '.join(denied)}" if denied else ""
        return ConnectionCheck(
            ok=True, message=f"Connected to '{dbname}' as '{user}': {len(chosen)} schema(s) readable{skipped}."
        )

    def extract(self):
        where = target(self.config)
        denied, digests, refs, changed, records = self._read(where)
        for name in denied:
            yield HarvestWarning(
                code="schema_skipped",
                message="The harvesting role has no USAGE privilege on this schema; it was skipped. Grant USAGE to catalog it.",
                subject=name,
                partial=True,
            )
        changed_oids = set(changed)
        for oid, _, _, digest, _ in digests:
            yield SourceDigest(ref=refs[oid], digest=digest, unchanged=oid not in changed_oids)
        yield from records

    def _read(self, where) -> tuple:
        """(schemas denied, digests, refs, oids of changed relations, records), with the
        source's connections closed."""
        helper = None
        try:
            with (
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="postgres-digests") as pool,
                connect(self.config, self.secrets) as conn,
            ):
                # Connected while this one reads the schemas; after it, so that a role
                # allowed one connection still harvests (on this one alone).
                if self.known_digests and self._splits_digests(conn):
                    helper = pool.submit(self._open_helper)
                chosen, denied = self._schemas(conn)
                params = {"schemas": [oid for oid, _, _ in chosen]}
                if self.known_digests:
                    rows = self._digests_in_parts(conn, pool, helper, params)
                    digests = queries.combine_digests(rows, conn.info.server_version)
                    refs = self._refs(where, digests)
                    changed = [oid for oid, _, _, digest, _ in digests if self.known_digests.get(refs[oid]) != digest]
                    facts = self._facts(conn, params, digests, changed)
                    records = list(RecordBuilder(where, facts).records()) if changed else []
                else:
                    records, digests = self._read_everything(conn, pool, where, params)
                    refs = self._refs(where, digests)
                    changed = list(refs)
        finally:  # every job has finished here: the helper is idle, or was never opened
            if helper is not None and not helper.exception() and helper.result() is not None:
                helper.result().close()
        return denied, digests, refs, changed, records

    @staticmethod
    def _refs(where, digests: list[tuple]) -> dict[int, DatasetRef]:
        namespace, dbname = where.namespace, where.dbname
        return {oid: DatasetRef(namespace, f"{dbname}.{schema}.{name}") for oid, schema, name, _, _ in digests}

    def _read_everything(self, conn, pool, where, params: dict) -> tuple[list, list[tuple]]:
        """(records, digests) when no digest is known (a first harvest): every relation is read.

        The server computes the digests (a third of the run's source time) on a second thread
        while this one builds the records from the fact rows: the client's work and the
        server's overlap. The same connection and snapshot serve both, one query at a time."""
        facts = self._all_facts(conn, params)
        query = queries.digests_query(conn.info.server_version)
        pending = pool.submit(self._query, conn, "digests", query, params)
        try:
            records = list(RecordBuilder(where, facts).records())
        finally:  # wait for the query, also when building failed (that error wins)
            wait([pending])
        return records, queries.combine_digests(pending.result(), conn.info.server_version)

    def _digests_in_parts(self, conn, pool, helper, params: dict) -> list[tuple]:
        """The DIGESTS rows, half read on ``conn`` and half on the ``helper`` connection in
        ``conn``'s exported snapshot: one catalog state, read by two server processes at once.

        The digest query is all of an unchanged re-harvest's source time and CPU-bound on the
        server (hashes and index probes per relation); PostgreSQL's parallel workers take none
        of it (the per-relation subqueries stay in the leader). When no helper could join (no
        connection slot left, a pooler that drops ``SET TRANSACTION SNAPSHOT``), ``conn``
        reads both halves; on a hot standby, which exports no snapshot, it reads them at once."""
        if helper is None:
            return self._query(conn, "digests", queries.digests_query(conn.info.server_version), params)
        snapshot = self._query(conn, "snapshot", queries.EXPORT_SNAPSHOT)[0][0]
        if snapshot is None:  # a standby that did not say so when connecting
            return self._query(conn, "digests", queries.DIGESTS, params)
        other = pool.submit(self._helper_part, helper, snapshot, {**params, "parts": 2, "part": 1})
        try:
            rows = self._query(conn, "digests", queries.DIGESTS_PART, {**params, "parts": 2, "part": 0})
        finally:  # the helper's query ends before the connection it runs in is left
            wait([other])
        if other.result() is None:
            return rows + self._query(conn, "digests", queries.DIGESTS_PART, {**params, "parts": 2, "part": 1})
        return rows + other.result()

    @staticmethod
    def _splits_digests(conn) -> bool:
        """Whether the digests are read in two parts: the hashed query (PostgreSQL 14+), on a
        primary (a hot standby, which says so when connecting, exports no snapshot)."""
        return conn.info.server_version >= queries.HASHED_SINCE and conn.info.parameter_status("in_hot_standby") != "on"

    def _open_helper(self):
        """A second connection to the source, or None when the server refuses one."""
        try:
            return connect(self.config, self.secrets, application_name="mesh-catalog-harvest-digests")
        except SourceError:
            return None

    def _helper_part(self, helper, snapshot: str, params: dict) -> list[tuple] | None:
        """One part of the digests on the helper connection, in ``snapshot``; None when the
        helper is missing or cannot import the snapshot."""
        conn = helper.result()
        if conn is None:
            return None
        try:
            self._query(conn, "snapshot", SQL("set transaction snapshot {}").format(Literal(snapshot)))
        except SourceError:
            return None
        return self._query(conn, "digests", queries.DIGESTS_PART, params)

    def _all_facts(self, conn, params: dict) -> dict:
        return {
            name: self._query(conn, name, sql, params)
            for name, sql in (
                ("relations", queries.RELATIONS),
                ("columns", queries.COLUMNS),
                ("constraints", queries.CONSTRAINTS),
                ("dependencies", queries.VIEW_DEPENDENCIES),
                ("partitions", queries.PARTITIONS),
            )
        }

    def _facts(self, conn, params: dict, digests: list[tuple], changed: list[int]) -> dict:
        """The rows of the relations whose digest changed, plus the columns of the relations
        their records refer to."""
        if not changed:
            return {}
        names = [(oid, schema, name) for oid, schema, name, _, _ in digests]
        if len(changed) == len(digests):
            return {"names": names, **self._all_facts(conn, params)}
        related = {oid: deps for oid, _, _, _, deps in digests}
        wanted = set(changed) | {dep for oid in changed for dep in related[oid]}
        only, read = {**params, "only": changed}, {**params, "only": sorted(wanted)}
        return {
            "names": names,
            "relations": self._query(conn, "relations", queries.restrict(queries.RELATIONS), only),
            "columns": self._query(conn, "columns", queries.restrict(queries.COLUMNS), read),
            "constraints": self._query(conn, "constraints", queries.restrict(queries.CONSTRAINTS), only),
            "dependencies": self._query(conn, "dependencies", queries.restrict(queries.VIEW_DEPENDENCIES, "v"), only),
            "partitions": self._query(conn, "partitions", queries.PARTITIONS, params),
        }
