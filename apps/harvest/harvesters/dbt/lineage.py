"""Table-level lineage from ``depends_on``, column-level lineage from ``compiled_code``.

Each distinct compiled SQL is parsed once per content: results are cached on disk by the
digest of the SQL and of the upstream schemas it was resolved against, so re-harvesting
an unchanged manifest parses nothing. New SQL is parsed on every core
(``harvesters.sql.lineage.parse_many``). A model whose SQL cannot be parsed keeps its table-level
lineage and gets a warning.
"""

import hashlib
from collections.abc import Iterator

import orjson

from apps.harvest.harvesters.dbt.cache import LineageCache
from apps.harvest.harvesters.dbt.gcpause import collecting
from apps.harvest.harvesters.dbt.nodes import NodeIndex, is_ephemeral
from apps.harvest.harvesters.sql.lineage import parse_many
from apps.harvest.records import ColumnLineageRecord, DatasetRef, HarvestWarning, LineageRecord

EVIDENCE = "dbt"


def table_lineage(index: NodeIndex) -> Iterator[LineageRecord]:
    """One edge per (parent dataset, child dataset); ephemeral models are looked through."""
    for uid in sorted(index.refs):
        node = index.nodes[uid]
        if node.get("resource_type") == "source":
            continue
        downstream = index.refs[uid]
        upstreams, via = index.upstream_refs(uid)
        for upstream in upstreams:
            if upstream != downstream:
                details = {"dbt_node": uid}
                if via:
                    details["via"] = via
                yield LineageRecord(upstream=upstream, downstream=downstream, evidence=EVIDENCE, details=details)


def column_lineage(
    index: NodeIndex, schema: dict, dialect: str, cache: LineageCache, stats: dict
) -> Iterator[ColumnLineageRecord | HarvestWarning]:
    """Column edges of every dataset node with compiled SQL; ``stats`` counts parsed and cached SQL."""
    jobs = []  # (uid, key, task)
    for uid in sorted(index.refs):
        node = index.nodes[uid]
        sql = node.get("compiled_code") or node.get("compiled_sql")
        if node.get("resource_type") != "model" or not sql:
            continue
        ref = index.refs[uid]
        upstreams, _ = index.upstream_refs(uid)
        relevant = _schema_subset(schema, [*upstreams, ref])
        key = _cache_key(sql, relevant, dialect)
        db, sch = (ref.name.split(".") + ["", ""])[:2]
        jobs.append((uid, key, (key, sql, relevant, dialect, db, sch)))

    known = {key: cache.get(key) for _, key, _ in jobs}
    todo = {key: task for _, key, task in jobs if known[key] is None}
    stats["sql_cached"] = len({k for k, v in known.items() if v is not None})
    stats["sql_parsed"] = len(todo)
    if todo:
        with collecting():  # sqlglot trees are cyclic: let the collector free them
            parsed = parse_many(list(todo.values()))
        for key, result in parsed.items():
            known[key] = result
            cache.put(key, result)

    namespace_of = {}
    for ref in index.refs.values():
        namespace_of.setdefault(ref.name, ref.namespace)
    for uid, key, _ in jobs:
        result = known[key]
        ref = index.refs[uid]
        if isinstance(result, str):
            yield HarvestWarning("dbt_sql_unparsed", f"Column lineage skipped, table lineage kept: {result}", uid)
            continue
        for column in sorted(result):
            for table, upstream_column, transformation in result[column]:
                if table == ref.name:
                    continue  # incremental models read themselves
                upstream = DatasetRef(namespace_of.get(table, ref.namespace), table)
                yield ColumnLineageRecord(
                    upstream=upstream,
                    upstream_column=upstream_column,
                    downstream=ref,
                    downstream_column=column,
                    evidence=EVIDENCE,
                    transformation=transformation,
                )


def warehouse_schema(catalog: dict, manifest: dict, index: NodeIndex) -> dict:
    """``{db: {schema: {table: {column: type}}}}`` from the catalog, else declared columns."""
    schema: dict = {}
    entries = {**(catalog.get("nodes") or {}), **(catalog.get("sources") or {})}
    for uid, ref in index.refs.items():
        entry = entries.get(uid)
        if entry:
            columns = {name.lower(): (c.get("type") or "") for name, c in (entry.get("columns") or {}).items()}
        else:
            columns = {
                (c.get("name") or n).lower(): (c.get("data_type") or "")
                for n, c in (index.nodes[uid].get("columns") or {}).items()
            }
        if columns:
            db, sch, table = _split(ref.name)
            schema.setdefault(db, {}).setdefault(sch, {})[table] = columns
    return schema


def _split(name: str) -> tuple[str, str, str]:
    parts = name.split(".")
    return ("", "", "") if len(parts) != 3 else (parts[0], parts[1], parts[2])


def _schema_subset(schema: dict, refs: list[DatasetRef]) -> dict:
    subset: dict = {}
    for ref in refs:
        db, sch, table = _split(ref.name)
        columns = schema.get(db, {}).get(sch, {}).get(table)
        if columns:
            subset.setdefault(db, {}).setdefault(sch, {})[table] = columns
    return subset


def _cache_key(sql: str, schema: dict, dialect: str) -> str:
    digest = hashlib.sha256()
    digest.update(dialect.encode())
    digest.update(sql.encode())
    digest.update(orjson.dumps(schema, option=orjson.OPT_SORT_KEYS))
    return digest.hexdigest()


__all__ = ["column_lineage", "is_ephemeral", "table_lineage", "warehouse_schema"]
