"""The DuckDB harvester: one database file read in five set-based catalog queries.

Config: ``path`` (the ``.duckdb`` file; absolute, or relative to the project directory),
``database`` (the catalog name its datasets are named under; default DuckDB's own, the
file's stem), ``include_schemas`` / ``exclude_schemas`` (globs). The file is opened
read-only through an in-memory database with external access disabled
(``apps.core.duckdb_files.connect_read_only``), so harvesting never writes to it.

Identity (OpenLineage-style naming for a file database): namespace ``duckdb://`` + the
file's absolute path, name ``<database>.<schema>.<table>``.

Reads ``duckdb_schemas()``, ``duckdb_tables()`` (comments, estimated row counts),
``duckdb_views()`` (comments, SQL), ``duckdb_columns()`` (types, nullability, defaults,
comments) and ``duckdb_constraints()`` (primary, unique and foreign keys). View SQL is
parsed with sqlglot's ``duckdb`` dialect and handed to the shared view-lineage analysis
for table and column lineage.
"""

from fnmatch import fnmatchcase
from pathlib import Path

from apps.core.duckdb_files import connect_read_only, default_database, namespace_of, resolve_path
from apps.harvest.config_fields import ConfigField
from apps.harvest.harvesters.base import ConfigError, ConnectionCheck, Harvester, SourceError, register_harvester
from apps.harvest.records import (
    ColumnLineageRecord,
    ColumnRecord,
    ConstraintRecord,
    DatasetKind,
    DatasetRecord,
    DatasetRef,
    HarvestWarning,
    LineageEvidence,
    LineageRecord,
)

DEFAULTS = {"database": "", "include_schemas": [], "exclude_schemas": []}
KEYS = {"path", *DEFAULTS}
MAX_PATH = 1000
SYSTEM_SCHEMAS = {"information_schema", "pg_catalog"}

SCHEMAS = "SELECT schema_name, comment FROM duckdb_schemas() WHERE database_name = $db AND NOT internal"
TABLES = (
    "SELECT schema_name, table_name, comment, estimated_size FROM duckdb_tables()"
    " WHERE database_name = $db AND NOT internal AND NOT temporary"
)
VIEWS = (
    "SELECT schema_name, view_name, comment, sql FROM duckdb_views()"
    " WHERE database_name = $db AND NOT internal AND NOT temporary"
)
COLUMNS = (
    "SELECT schema_name, table_name, column_name, column_index, data_type, is_nullable, column_default, comment"
    " FROM duckdb_columns() WHERE database_name = $db AND NOT internal ORDER BY schema_name, table_name, column_index"
)
CONSTRAINTS = (
    "SELECT schema_name, table_name, constraint_type, constraint_name, constraint_column_names,"
    " referenced_table, referenced_column_names, constraint_text FROM duckdb_constraints()"
    " WHERE database_name = $db AND constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')"
)
CONSTRAINT_KINDS = {"PRIMARY KEY": "primary_key", "UNIQUE": "unique", "FOREIGN KEY": "foreign_key"}


def validate(config: dict) -> dict:
    if not isinstance(config, dict):
        raise ConfigError({"config": ["The configuration is a JSON object."]})
    errors: dict[str, list[str]] = {}
    for key in sorted(set(config) - KEYS):
        errors.setdefault(key, []).append(f"Unknown key. Allowed keys: {', '.join(sorted(KEYS))}.")
    out = {**DEFAULTS, **{k: v for k, v in config.items() if k in KEYS}}
    path = out.get("path")
    if not isinstance(path, str) or not path.strip():
        errors.setdefault("path", []).append("Required: the DuckDB file, e.g. /srv/warehouse/analytics.duckdb.")
    elif len(path) > MAX_PATH or "\x00" in path:
        errors.setdefault("path", []).append(f"A file path of at most {MAX_PATH} characters.")
    elif path.strip() == ":memory:" or "://" in path:
        errors.setdefault("path", []).append("A DuckDB database file on this machine (not :memory: or a URL).")
    else:
        out["path"] = path.strip()
    database = out["database"]
    if not isinstance(database, str) or len(database) > 120 or any(c in database for c in "\"'.\x00"):
        errors.setdefault("database", []).append("A catalog name without quotes or dots (default: the file's stem).")
    for key in ("include_schemas", "exclude_schemas"):
        value = out[key]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            errors.setdefault(key, []).append("A list of schema name patterns (globs such as 'sales' or 'stg_*').")
    if errors:
        raise ConfigError(errors)
    return out


@register_harvester
class DuckDBHarvester(Harvester):
    """Reads schemas, tables, views, columns, keys and view lineage of one DuckDB file."""

    kind = "duckdb"
    config_fields = (
        ConfigField(
            "path",
            "DuckDB file",
            "text",
            "Absolute, or relative to the catalog's directory.",
            "/srv/warehouse/analytics.duckdb",
            required=True,
        ),
        ConfigField(
            "database",
            "Attached as",
            "text",
            "The catalog name datasets are listed under; default: the file's stem.",
            "analytics",
        ),
        ConfigField(
            "include_schemas", "Schemas to include", "list", "Comma-separated globs; empty: all.", "sales, mkt_*"
        ),
        ConfigField("exclude_schemas", "Schemas to exclude", "list", "Comma-separated globs.", "tmp_*"),
    )

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        return validate(config)

    @property
    def database(self) -> str:
        return self.config.get("database") or default_database(self.config["path"])

    @property
    def namespace(self) -> str:
        return namespace_of(self.config["path"])

    def _connect(self):
        import duckdb

        path = resolve_path(self.config["path"])
        if not path.exists():
            raise SourceError(f"No file at {path}.", stage="path")
        if not path.is_file():
            raise SourceError(f"{path} is not a file.", stage="path")
        try:
            with open(path, "rb"):
                pass
        except OSError as exc:
            raise SourceError(
                f"The catalog's process cannot read {path} ({exc.strerror}).", stage="permission"
            ) from None
        try:
            return connect_read_only(str(path), self.database)
        except duckdb.Error as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
            raise SourceError(f"DuckDB could not open {path}: {first}", stage="open") from None

    def _query(self, con, sql: str) -> list[tuple]:
        import duckdb

        self.queries_sent += 1
        try:
            return con.execute(sql, {"db": self.database}).fetchall()
        except duckdb.Error as exc:
            raise SourceError(
                f"Reading DuckDB's catalog failed: {str(exc).splitlines()[0][:300]}", stage="query"
            ) from None

    def _chosen(self, schema: str) -> bool:
        include, exclude = self.config.get("include_schemas") or [], self.config.get("exclude_schemas") or []
        if schema in SYSTEM_SCHEMAS:
            return False
        if include and not any(fnmatchcase(schema, p) for p in include):
            return False
        return not any(fnmatchcase(schema, p) for p in exclude)

    def test_connection(self) -> ConnectionCheck:
        try:
            con = self._connect()
            try:
                schemas = [r[0] for r in self._query(con, SCHEMAS) if self._chosen(r[0])]
                tables = [r for r in self._query(con, TABLES) if self._chosen(r[0])]
            finally:
                con.close()
        except SourceError as exc:
            return ConnectionCheck(ok=False, stage=exc.stage, message=str(exc))
        if not schemas:
            return ConnectionCheck(
                ok=False,
                stage="schemas",
                message=f"Opened {Path(self.config['path']).name}, but no schema matches the filters.",
            )
        return ConnectionCheck(
            ok=True,
            message=f"Opened {Path(self.config['path']).name} read-only as '{self.database}': "
            f"{len(schemas)} schema(s), {len(tables)} table(s).",
        )

    def extract(self):
        con = self._connect()
        try:
            facts = {
                name: self._query(con, sql)
                for name, sql in (
                    ("tables", TABLES),
                    ("views", VIEWS),
                    ("columns", COLUMNS),
                    ("constraints", CONSTRAINTS),
                )
            }
        finally:
            con.close()
        yield from RecordBuilder(self.namespace, self.database, facts, self._chosen).records()


class RecordBuilder:
    """Records of one DuckDB database from the catalog queries' rows (no database access)."""

    def __init__(self, namespace: str, database: str, facts: dict, chosen):
        self.namespace, self.database = namespace, database
        self.tables = [r for r in facts["tables"] if chosen(r[0])]
        self.views = [r for r in facts["views"] if chosen(r[0])]
        self.columns: dict[tuple[str, str], list] = {}
        for row in facts["columns"]:
            if chosen(row[0]):
                self.columns.setdefault((row[0], row[1]), []).append(row)
        self.constraints: dict[tuple[str, str], list] = {}
        for row in facts["constraints"]:
            if chosen(row[0]):
                self.constraints.setdefault((row[0], row[1]), []).append(row)

    def ref(self, schema: str, name: str) -> DatasetRef:
        return DatasetRef(self.namespace, f"{self.database}.{schema}.{name}")

    def records(self):
        for schema, name, comment, estimated in self.tables:
            yield self._dataset(schema, name, DatasetKind.TABLE, comment, estimated)
        for schema, name, comment, sql in self.views:
            yield self._dataset(schema, name, DatasetKind.VIEW, comment, None, definition=sql)
        for schema, name, _comment, sql in self.views:
            yield from self._view_lineage(schema, name, sql)

    def _dataset(self, schema, name, kind, comment, estimated, definition=None) -> DatasetRecord:
        constraints = self.constraints.get((schema, name), [])
        pk = {c for r in constraints if r[2] == "PRIMARY KEY" for c in r[4] or ()}
        properties = {"schema": schema}
        if definition:
            properties["definition"] = definition
        return DatasetRecord(
            ref=self.ref(schema, name),
            platform="duckdb",
            kind=kind,
            description=comment or "",
            row_estimate=int(estimated) if estimated is not None else None,
            columns=tuple(
                ColumnRecord(
                    name=c[2],
                    ordinal=int(c[3]),
                    data_type=c[4] or "",
                    nullable=bool(c[5]),
                    default=c[6] or "",
                    description=c[7] or "",
                    is_primary_key=c[2] in pk,
                )
                for c in self.columns.get((schema, name), [])
            ),
            constraints=tuple(self._constraint(schema, r) for r in constraints),
            properties={"duckdb": properties},
        )

    def _constraint(self, schema: str, row) -> ConstraintRecord:
        _, table, ctype, cname, columns, ref_table, ref_columns, text = row
        # DuckDB's foreign keys reference a table of the same schema.
        referenced = self.ref(schema, ref_table) if ctype == "FOREIGN KEY" and ref_table else None
        return ConstraintRecord(
            name=cname or f"{table}_{CONSTRAINT_KINDS[ctype]}_{'_'.join(columns or ())}",
            kind=CONSTRAINT_KINDS[ctype],
            columns=tuple(columns or ()),
            referenced=referenced,
            referenced_columns=tuple(ref_columns or ()) if referenced else (),
            definition=text or "",
        )

    def _columns_of(self, schema: str, name: str):
        rows = self.columns.get((schema, name))
        return [r[2] for r in rows] if rows else None

    def _view_lineage(self, schema: str, name: str, sql: str):
        # sqlglot is imported here, not at start-up (every process imports the harvesters)
        from apps.harvest.harvesters.sql.view_lineage import UnparseableView, analyse

        view = self.ref(schema, name)
        try:
            query = postgres_query_of_view(sql, schema)
            found = analyse(query, self._columns_of)
        except UnparseableView as exc:
            yield HarvestWarning(
                code="view_sql_unparsed",
                message=f"The view's SQL could not be parsed ({exc}); it has no lineage.",
                subject=view.name,
            )
            return
        if found.column_error:
            yield HarvestWarning(
                code="column_lineage_failed",
                message=f"Column lineage of this view could not be derived ({found.column_error}).",
                subject=view.name,
            )
        for up_schema, up_name in sorted(found.tables):
            if (up_schema, up_name) != (schema, name):
                yield LineageRecord(
                    upstream=self.ref(up_schema, up_name), downstream=view, evidence=LineageEvidence.VIEW_SQL
                )
        for out, up_schema, up_name, column, transformation in found.columns:
            yield ColumnLineageRecord(
                upstream=self.ref(up_schema, up_name),
                upstream_column=column,
                downstream=view,
                downstream_column=out,
                evidence=LineageEvidence.VIEW_SQL,
                transformation=transformation,
            )


def postgres_query_of_view(create_sql: str, schema: str) -> str:
    """The SELECT of a DuckDB ``CREATE VIEW`` with every table schema-qualified, as PostgreSQL SQL.

    DuckDB stores the statement as written; an unqualified table lives in the view's own
    schema. The shared view-lineage analysis expects qualified names and PostgreSQL SQL.
    """
    import sqlglot  # here, not at start-up: every process imports the harvesters (their registry)
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    from apps.harvest.harvesters.sql.view_lineage import UnparseableView

    try:
        ast = sqlglot.parse_one(create_sql, dialect="duckdb")
    except SqlglotError as exc:
        raise UnparseableView(str(exc).splitlines()[0][:200]) from None
    query = ast.expression if isinstance(ast, exp.Create) else ast
    if not isinstance(query, exp.Query):
        raise UnparseableView("not a query")
    ctes = {cte.alias_or_name.lower() for cte in query.find_all(exp.CTE)}
    for table in query.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            continue
        if not table.db and table.name.lower() in ctes:
            continue
        if not table.db:
            table.set("db", exp.to_identifier(schema))
        table.set("catalog", None)
    try:
        return query.sql(dialect="postgres")
    except SqlglotError as exc:
        raise UnparseableView(str(exc).splitlines()[0][:200]) from None
