"""Glue and Athena views: their SQL (Athena's base64 "Presto View" or Hive text) and its lineage.

The SQL is parsed by the shared ``apps.harvest.harvesters.sql.lineage`` against the schema of
every table harvested in the run.
"""

import base64
from collections.abc import Iterator

import orjson

from apps.harvest.records import (
    ColumnLineageRecord,
    DatasetRecord,
    DatasetRef,
    HarvestRecord,
    HarvestWarning,
    LineageRecord,
)

EVIDENCE = "glue_view"
PRESTO_PREFIX, PRESTO_SUFFIX = "/* Presto View: ", " */"


def view_lineage(namespace: str, record: DatasetRecord, table: dict, schema: dict) -> Iterator[HarvestRecord]:
    """Column- and table-level lineage of a view from its SQL; a warning when there is none."""
    # sqlglot is imported here, not at start-up (every process imports the harvesters)
    from apps.harvest.harvesters.sql.lineage import SqlLineageError, column_lineage, table_sources

    sql, default_db, dialect = view_sql(table)
    subject = record.ref.name
    if not sql:
        yield HarvestWarning("glue_view_without_sql", "The view has no SQL text; no lineage.", subject)
        return
    database = record.properties["glue"]["database"].lower()
    try:
        lineage = column_lineage(sql, schema, dialect, default_db="", default_schema=(default_db or database).lower())
    except SqlLineageError as exc:
        yield HarvestWarning("glue_view_unparsed", f"No lineage from the view's SQL: {exc}", subject)
        return
    tables = {}
    for column, edges in lineage.items():
        for source_table, source_column, transformation in edges:
            upstream = _glue_ref(namespace, source_table)
            tables[upstream] = None
            yield ColumnLineageRecord(
                upstream=upstream,
                upstream_column=source_column,
                downstream=record.ref,
                downstream_column=column,
                evidence=EVIDENCE,
                transformation=transformation,
            )
    for source_table in table_sources(sql, dialect):
        tables[
            _glue_ref(
                namespace, source_table if source_table.count(".") else f"{default_db or database}.{source_table}"
            )
        ] = None
    for upstream in sorted(tables, key=lambda r: r.name):
        if upstream != record.ref:
            yield LineageRecord(
                upstream=upstream, downstream=record.ref, evidence=EVIDENCE, details={"view": record.ref.name}
            )


def view_sql(table: dict) -> tuple[str, str, str]:
    """``(sql, default schema, sqlglot dialect)`` of a Glue view: Athena's base64 form or Hive text."""
    original = (table.get("ViewOriginalText") or "").strip()
    if original.startswith(PRESTO_PREFIX) and original.endswith(PRESTO_SUFFIX):
        encoded = original[len(PRESTO_PREFIX) : -len(PRESTO_SUFFIX)].strip()
        try:
            view = orjson.loads(base64.b64decode(encoded + "=" * (-len(encoded) % 4)))
            return str(view.get("originalSql") or ""), str(view.get("schema") or ""), "trino"
        except (ValueError, orjson.JSONDecodeError):
            return "", "", "trino"
    return (table.get("ViewExpandedText") or original or "").strip(), "", "spark"


def presto_view_text(sql: str, schema: str, columns: list[tuple[str, str]], catalog: str = "awsdatacatalog") -> str:
    """The ``ViewOriginalText`` Athena writes for a view (used by tests, benchmarks and fixtures)."""
    body = {
        "originalSql": sql,
        "catalog": catalog,
        "schema": schema,
        "columns": [{"name": n, "type": t} for n, t in columns],
    }
    return PRESTO_PREFIX + base64.b64encode(orjson.dumps(body)).decode() + PRESTO_SUFFIX


def _glue_ref(namespace: str, dotted: str) -> DatasetRef:
    parts = [p for p in dotted.split(".") if p]
    database, table = (parts[-2], parts[-1]) if len(parts) >= 2 else ("", parts[-1])
    return DatasetRef(namespace, f"table/{database}/{table}")
