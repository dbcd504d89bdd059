"""dbt models, seeds, snapshots and sources → ``DatasetRecord`` with columns and constraints.

Columns merge the manifest (descriptions, declared types, constraints) with the catalog
(actual types and order), matching names case-insensitively. Nullability, keys and
constraints are physical facts, so they come only from an *enforced* contract (dbt builds
those into the table); the primary key dbt infers from tests is kept as a property. A node without a catalog
entry yields only its declared columns and says so (``complete_columns=False``), so the
pipeline never treats a missing catalog as dropped columns.
"""

import hashlib

from apps.harvest.harvesters.dbt.nodes import PRIORITY, NodeIndex, dataset_kind, materialization, node_meta, node_tags
from apps.harvest.records import ColumnRecord, ConstraintRecord, DatasetRecord, DatasetRef


def sql_checksum(sql: str) -> str:
    return hashlib.sha256(sql.encode()).hexdigest()


def dataset_records(
    manifest: dict, catalog: dict, index: NodeIndex, platform: str, owner_of, unchanged: frozenset = frozenset()
) -> list[DatasetRecord]:
    """One record per relation, except the ``unchanged`` ones (reported by digest); nodes
    sharing a relation (a seed and its source) are merged."""
    by_ref: dict[DatasetRef, list[str]] = {}
    for uid, ref in index.refs.items():
        if ref not in unchanged:
            by_ref.setdefault(ref, []).append(uid)
    catalog_entries = {**(catalog.get("nodes") or {}), **(catalog.get("sources") or {})}
    records = []
    for ref, uids in by_ref.items():
        uids.sort(key=lambda u: (PRIORITY.get(index.nodes[u].get("resource_type"), 9), u))
        records.append(_dataset_record(ref, [index.nodes[u] for u in uids], catalog_entries, platform, owner_of))
    records.sort(key=lambda r: r.ref.name)
    return records


def _dataset_record(
    ref: DatasetRef, nodes: list[dict], catalog_entries: dict, platform: str, owner_of
) -> DatasetRecord:
    main = nodes[0]
    entry = next((catalog_entries[n["unique_id"]] for n in nodes if n.get("unique_id") in catalog_entries), None)
    columns = _columns(nodes, entry)
    description = next((n.get("description") for n in nodes if n.get("description")), "") or ""
    tags = tuple(dict.fromkeys(t for n in nodes for t in node_tags(n)))
    stats = _stats(entry)
    return DatasetRecord(
        ref=ref,
        platform=platform,
        kind=dataset_kind(main),
        description=description.strip(),
        owner=owner_of(main),
        row_estimate=stats.get("rows"),
        size_bytes=stats.get("bytes"),
        columns=columns,
        constraints=_constraints(main, ref) if _enforced(main) else (),
        tags=tags,
        properties={"dbt": _dbt_properties(main, nodes)},
        complete_columns=entry is not None,
    )


def _dbt_properties(main: dict, nodes: list[dict]) -> dict:
    config = main.get("config") or {}
    props = {
        "unique_id": main.get("unique_id"),
        "unique_ids": [n.get("unique_id") for n in nodes],
        "resource_type": main.get("resource_type"),
        "package": main.get("package_name"),
        "path": main.get("original_file_path"),
    }
    if main.get("resource_type") == "source":
        props["source_name"] = main.get("source_name")
        props["loaded_at_field"] = main.get("loaded_at_field") or config.get("loaded_at_field")
    if materialization(main):
        props["materialized"] = materialization(main)
    if main.get("primary_key"):
        props["primary_key"] = list(main["primary_key"])  # inferred by dbt from unique/not_null tests
    for key in ("group", "access", "version"):
        value = main.get(key) or config.get(key)
        if value is not None:
            props[key] = value
    contract = config.get("contract") or main.get("contract") or {}
    if contract.get("enforced"):
        props["contract"] = {
            "enforced": True,
            "model_constraints": [_constraint_summary(c) for c in main.get("constraints") or []],
            "column_constraints": {
                name: [_constraint_summary(c) for c in col.get("constraints") or []]
                for name, col in (main.get("columns") or {}).items()
                if col.get("constraints")
            },
        }
    if main.get("raw_code"):
        props["raw_sql"] = main["raw_code"]
    if main.get("compiled_code"):
        props["compiled_sql_checksum"] = sql_checksum(main["compiled_code"])
    meta = {k: v for k, v in node_meta(main).items() if k != "queries"}
    if meta:
        props["meta"] = meta
    return props


def _constraint_summary(constraint: dict) -> dict:
    return {
        k: v
        for k, v in constraint.items()
        if k in ("type", "name", "expression", "columns", "to", "to_columns") and v not in (None, [], "")
    }


_FILLED_FROM_LATER_NODES = ("description", "data_type", "constraints", "tags")
_NO_CONSTRAINTS: frozenset = frozenset()


def _columns(nodes: list[dict], entry: dict | None) -> tuple[ColumnRecord, ...]:
    # Runs once per column of the project (100,000 at 5,000 models): kept lean on purpose.
    declared: dict[str, dict] = {}
    for node in nodes:  # the main node first; later ones only fill what is missing
        for name, col in (node.get("columns") or {}).items():
            col_name = col.get("name") or name
            key = col_name.lower()
            merged = declared.get(key)
            if merged is None:
                merged = declared[key] = {"name": col_name, "pii_tags": pii_tags(node_meta(col))}
            for field in _FILLED_FROM_LATER_NODES:
                value = col.get(field)
                if value and not merged.get(field):
                    merged[field] = value
    enforced = _enforced(nodes[0])
    primary_key = {c.lower() for c in _primary_key_columns(nodes[0])} if enforced else set()
    actual = sorted(
        ((entry or {}).get("columns") or {}).values(), key=lambda c: (c.get("index") or 0, c.get("name") or "")
    )
    order = [(c.get("name") or "", c) for c in actual]
    if entry is None:
        known = {name.lower() for name, _ in order}
        order += [(d["name"], None) for key, d in declared.items() if key not in known]
    columns = []
    for ordinal, (name, found) in enumerate(order, start=1):
        lowered = name.lower()
        decl = declared.get(lowered) or {}
        found = found or {}
        constraint_types = {c.get("type") for c in decl.get("constraints") or []} if enforced else _NO_CONSTRAINTS
        in_key = lowered in primary_key
        tags = decl.get("tags")
        columns.append(
            ColumnRecord(
                name=name,
                ordinal=ordinal,
                data_type=(found.get("type") or decl.get("data_type") or "").lower(),
                nullable=not (in_key or "not_null" in constraint_types or "primary_key" in constraint_types),
                description=(decl.get("description") or found.get("comment") or "").strip(),
                is_primary_key=in_key or "primary_key" in constraint_types,
                tags=(tuple(str(t) for t in tags) if tags else ()) + decl.get("pii_tags", ()),
            )
        )
    return tuple(columns)


def pii_tags(meta: dict) -> tuple[str, ...]:
    """Column ``meta: {pii: email}`` → ``pii:email``; ``{pii: true}`` → ``pii`` (read by apps.privacy)."""
    value = meta.get("pii") if isinstance(meta, dict) else None
    if value is True:
        return ("pii",)
    if isinstance(value, str) and value.strip():
        return (f"pii:{value.strip().lower()[:40]}",)
    if isinstance(value, list):
        return tuple(f"pii:{str(v).strip().lower()[:40]}" for v in value[:5] if str(v).strip())
    return ()


def _enforced(node: dict) -> bool:
    return bool(((node.get("config") or {}).get("contract") or node.get("contract") or {}).get("enforced"))


def _primary_key_columns(node: dict) -> list[str]:
    """Primary key constraints of the contract (not dbt's ``primary_key``, inferred from tests)."""
    columns = []
    for constraint in node.get("constraints") or []:
        if constraint.get("type") == "primary_key":
            columns += constraint.get("columns") or []
    for name, col in (node.get("columns") or {}).items():
        if any(c.get("type") == "primary_key" for c in col.get("constraints") or []):
            columns.append(col.get("name") or name)
    return list(dict.fromkeys(columns))


def _constraints(node: dict, ref: DatasetRef) -> tuple[ConstraintRecord, ...]:
    """Declared model constraints (dbt contracts): primary key, unique, foreign key, check."""
    alias = ref.name.rsplit(".", 1)[-1]
    found = []
    for constraint in node.get("constraints") or []:
        found.append((constraint, tuple(constraint.get("columns") or ())))
    for name, col in (node.get("columns") or {}).items():
        for constraint in col.get("constraints") or []:
            found.append((constraint, (col.get("name") or name,)))
    records = {}
    for constraint, columns in found:
        kind = constraint.get("type")
        if kind not in ("primary_key", "unique", "foreign_key", "check"):
            continue
        name = constraint.get("name") or f"{alias}_{'_'.join(columns) or 'check'}_{kind}"
        referenced = _foreign_key_target(constraint.get("to"), ref.namespace) if kind == "foreign_key" else None
        records[name] = ConstraintRecord(
            name=name,
            kind=kind,
            columns=columns,
            referenced=referenced,
            referenced_columns=tuple(constraint.get("to_columns") or ()),
            definition=constraint.get("expression") or "",
        )
    return tuple(records.values())


def _foreign_key_target(to: str | None, namespace: str) -> DatasetRef | None:
    """dbt renders ``to: ref('x')`` as the relation name ``"db"."schema"."table"``."""
    if not to or "(" in to:
        return None
    parts = [p.strip().strip('"').lower() for p in to.split(".")]
    return DatasetRef(namespace, ".".join(parts)) if len(parts) == 3 else None


def _stats(entry: dict | None) -> dict:
    """Row count and size where the adapter reports them (BigQuery, Snowflake; not PostgreSQL)."""
    stats = (entry or {}).get("stats") or {}
    found = {}
    for key, stat in stats.items():
        value = stat.get("value") if isinstance(stat, dict) else None
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if key in ("row_count", "num_rows"):
            found["rows"] = int(value)
        elif key in ("bytes", "num_bytes"):
            found["bytes"] = int(value)
    return found
