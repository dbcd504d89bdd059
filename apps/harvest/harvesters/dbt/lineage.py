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
from apps.harvest.records import ColumnLineageRecord, DatasetRef, HarvestWarning, LineageRecord

EVIDENCE = "dbt"


def table_lineage(index: NodeIndex, unchanged: frozenset = frozenset()) -> Iterator[LineageRecord]:
    """One edge per (parent dataset, child dataset); ephemeral models are looked through.
    Edges into ``unchanged`` datasets are not reported: the pipeline keeps them."""
    for uid in sorted(index.refs):
        node = index.nodes[uid]
        downstream = index.refs[uid]
        if node.get("resource_type") == "source" or downstream in unchanged:
            continue
        upstreams, via = index.upstream_refs(uid)
        for upstream in upstreams:
            if upstream != downstream:
                details = {"dbt_node": uid}
                if via:
                    details["via"] = via
                yield LineageRecord(upstream=upstream, downstream=downstream, evidence=EVIDENCE, details=details)


def lineage_jobs(index: NodeIndex, schema: dict, dialect: str) -> dict[str, tuple]:
    """Every dataset model with compiled SQL → ``(cache key, parse task)``; the key is a pure
    function of what the analysis reads (SQL, the schemas of the model and its upstreams, dialect)."""
    jobs = {}
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
        jobs[uid] = (key, (key, sql, relevant, dialect, db, sch))
    return jobs


def column_lineage(
    index: NodeIndex, jobs: dict[str, tuple], cache: LineageCache, stats: dict, unchanged: frozenset = frozenset()
) -> Iterator[ColumnLineageRecord | HarvestWarning]:
    """Column edges of the models in ``jobs``; ``stats`` counts parsed and cached SQL.

    Models whose dataset is ``unchanged`` (reported by digest) yield nothing and parse nothing:
    their cache entries are only kept, and a model whose SQL could not be parsed still warns."""
    current = []
    for uid, (key, _) in jobs.items():
        if index.refs[uid] in unchanged:
            cache.keep(key)
            reason = cache.failure(key)
            if reason is not None:
                yield HarvestWarning("dbt_sql_unparsed", f"Column lineage skipped, table lineage kept: {reason}", uid)
        else:
            current.append(uid)
    known = {jobs[uid][0]: cache.get(jobs[uid][0]) for uid in current}
    todo = {key: jobs[uid][1] for uid in current if known[(key := jobs[uid][0])] is None}
    stats["sql_cached"] = len({k for k, v in known.items() if v is not None})
    stats["sql_parsed"] = len(todo)
    stats["sql_unchanged"] = len(jobs) - len(current)
    if todo:
        # sqlglot only when there is SQL to parse: not in a start-up, nor an unchanged run
        from apps.harvest.harvesters.sql.lineage import parse_many

        with collecting():  # sqlglot trees are cyclic: let the collector free them
            parsed = parse_many(list(todo.values()))
        for key, result in parsed.items():
            known[key] = result
            cache.put(key, result)

    namespace_of = {}
    for ref in index.refs.values():
        namespace_of.setdefault(ref.name, ref.namespace)
    for uid in current:
        result = known[jobs[uid][0]]
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


__all__ = ["column_lineage", "is_ephemeral", "lineage_jobs", "table_lineage", "warehouse_schema"]
