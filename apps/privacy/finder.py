"""The right-to-be-forgotten finder: every dataset and column holding a subject identifier.

Starting from columns tagged with the identifier type (``customer_id``, ``user_id``,
``email_key``), it follows foreign keys that point at them and then their column-lineage
descendants — one recursive query, the same SQL on PostgreSQL and SQLite — and returns,
per dataset, the owning products and owners, the server, the retention, and parameterised
queries the owners run themselves: a ``SELECT`` to find the subject and a ``DELETE`` or
``UPDATE`` template to erase them. The catalog never executes a write.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection

from apps.catalog.models import Column, Dataset, DatasetConstraint, Ownership, PortDataset, PortDirection
from apps.core.errors import ActionError
from apps.lab.sql_checks import port_table, quote_ident
from apps.privacy.categories import PERSONAL_DATA, SUBJECT_IDENTIFIERS
from apps.privacy.models import ColumnClassification, State

ACTIVE = (State.SUGGESTED, State.CONFIRMED)
PARAM = "%(subject)s"
MAX_DATASETS = 5000
_VIEW_KINDS = {"view", "materialized_view", "dbt_model"}


@dataclass
class Holding:
    """One dataset that holds the subject: which columns, who owns it, how to find and erase."""

    dataset_id: int
    columns: dict[int, dict] = field(default_factory=dict)  # column id -> {name, via, transformation}
    personal: list[dict] = field(default_factory=list)


def identifier_types() -> list[str]:
    return sorted(SUBJECT_IDENTIFIERS)


def _key_columns(identifier_type: str) -> set[int]:
    return set(
        ColumnClassification.objects.filter(category=identifier_type, state__in=ACTIVE).values_list(
            "column_id", flat=True
        )
    )


def _foreign_key_columns(keys: set[int]) -> set[int]:
    """Columns of other datasets whose foreign keys reference a key column."""
    if not keys:
        return set()
    key_names = defaultdict(set)
    for dataset_id, name in Column.objects.filter(id__in=keys).values_list("dataset_id", "name"):
        key_names[dataset_id].add(name)
    wanted: dict[int, set[str]] = defaultdict(set)
    for dataset_id, columns, ref_dataset, ref_columns in DatasetConstraint.objects.filter(
        kind="foreign_key", referenced_dataset_id__in=list(key_names)
    ).values_list("dataset_id", "columns", "referenced_dataset_id", "referenced_columns"):
        for col, ref in zip(columns or [], ref_columns or [], strict=False):
            if ref in key_names[ref_dataset]:
                wanted[dataset_id].add(col)
    if not wanted:
        return set()
    out = set()
    for dataset_id, name, cid in Column.objects.filter(dataset_id__in=list(wanted)).values_list(
        "dataset_id", "name", "id"
    ):
        if name in wanted[dataset_id]:
            out.add(cid)
    return out


def _descendants(seeds: set[int]) -> dict[int, str]:
    """{column id: transformation of the edge that reached it} for the lineage closure of ``seeds``."""
    if not seeds:
        return {}
    edge_table = "catalog_columnlineageedge"
    seed_sql = ", ".join(["(%s)"] * len(seeds))
    # each step carries the transformation of the edge that reached the column, so that one
    # pass over the edges (by their upstream index) answers both "which" and "how"
    sql = f"""
        WITH RECURSIVE seed(id) AS (VALUES {seed_sql}),
        walk(id, t) AS (
            SELECT CAST(id AS BIGINT), CAST('' AS VARCHAR(30)) FROM seed
            UNION
            SELECT e.downstream_id, e.transformation FROM {edge_table} e JOIN walk w ON e.upstream_id = w.id
        )
        SELECT id, MAX(t) FROM walk GROUP BY id
    """
    with connection.cursor() as cur:
        cur.execute(sql, list(seeds))
        return {row[0]: row[1] or "" for row in cur.fetchall() if row[0] not in seeds}


def find(identifier_type: str, *, value: str | None = None) -> dict:
    """The finder's answer, shaped for the API, GraphQL, the page and forget requests."""
    if identifier_type not in SUBJECT_IDENTIFIERS:
        raise ActionError(
            f"Unknown subject identifier type {identifier_type!r}; use one of {', '.join(identifier_types())}.",
            field="identifier_type",
            code="invalid_choice",
        )
    if value is not None and len(value) > 500:
        raise ActionError("The identifier value is too long (500 characters at most).", field="value", code="too_long")
    keys = _key_columns(identifier_type)
    fks = _foreign_key_columns(keys) - keys
    lineage = _descendants(keys | fks)
    via = dict.fromkeys(keys, "key") | dict.fromkeys(fks, "foreign_key")
    for c in lineage:
        via.setdefault(c, "lineage")
    holdings: dict[int, Holding] = {}
    for cid, dataset_id, name in Column.objects.filter(id__in=list(via)).values_list("id", "dataset_id", "name"):
        h = holdings.setdefault(dataset_id, Holding(dataset_id))
        h.columns[cid] = {"id": cid, "name": name, "via": via[cid], "transformation": lineage.get(cid, "")}
    dataset_ids = sorted(holdings)[:MAX_DATASETS]
    datasets = {
        d["id"]: d
        for d in Dataset.objects.filter(pk__in=dataset_ids, removed_at__isnull=True).values(
            "id", "name", "namespace", "platform", "kind", "properties", "domain__slug"
        )
    }
    for cid, dataset_id, name, category in ColumnClassification.objects.filter(
        column__dataset_id__in=list(datasets), category__in=PERSONAL_DATA, state__in=ACTIVE
    ).values_list("column_id", "column__dataset_id", "column__name", "category"):
        holdings[dataset_id].personal.append({"id": cid, "name": name, "category": category})
    products = _products(list(datasets))
    entries = []
    for dataset_id in sorted(datasets, key=lambda i: datasets[i]["name"]):
        d, h = datasets[dataset_id], holdings[dataset_id]
        entries.append(_entry(d, h, products.get(dataset_id, []), value))
    return {
        "identifier_type": identifier_type,
        "count": len(entries),
        "columns": sum(len(e["columns"]) for e in entries),
        "truncated": len(holdings) > MAX_DATASETS,
        "datasets": entries,
    }


def _products(dataset_ids: list[int]) -> dict[int, list[dict]]:
    """Products whose ports carry each dataset (outputs first), with their owners: three queries."""
    links = list(
        PortDataset.objects.filter(dataset_id__in=dataset_ids).values_list(
            "dataset_id",
            "port__product_id",
            "port__product__slug",
            "port__product__name",
            "port__direction",
            "port__product__domain__slug",
        )
    )
    product_ids = {link[1] for link in links}
    owners: dict[int, list[str]] = defaultdict(list)
    for product_id, username, team, role in Ownership.objects.filter(product_id__in=product_ids).values_list(
        "product_id", "user__username", "team__slug", "role"
    ):
        owners[product_id].append(f"{username or 'team:' + (team or '?')} ({role})")
    out: dict[int, dict[int, dict]] = defaultdict(dict)
    for dataset_id, product_id, slug, name, direction, domain in sorted(
        links, key=lambda link: (link[4] != PortDirection.OUTPUT, link[3])
    ):
        entry = out[dataset_id].setdefault(
            product_id,
            {
                "id": product_id,
                "slug": slug,
                "name": name,
                "domain": domain,
                "owners": owners[product_id],
                "publishes": False,
            },
        )
        entry["publishes"] |= direction == PortDirection.OUTPUT
    return {k: list(v.values()) for k, v in out.items()}


def _retention(properties: dict) -> str:
    props = properties or {}
    for source in (props, props.get("meta") or {}, props.get("sla") or {}):
        if isinstance(source, dict) and source.get("retention"):
            return str(source["retention"])[:100]
    return ""


def _entry(d: dict, h: Holding, products: list[dict], value: str | None) -> dict:
    table = port_table(d["name"]) if d["platform"] == "postgres" else None
    relation = table.sql_name if table else quote_ident(d["name"])
    id_columns = sorted(h.columns.values(), key=lambda c: (c["via"] != "key", c["name"]))
    direct = [c for c in id_columns if c["via"] in ("key", "foreign_key") or c["transformation"] in ("", "identity")]
    where_cols = direct or id_columns
    where = " OR ".join(f"{quote_ident(c['name'])} = {PARAM}" for c in where_cols)
    select = f"SELECT * FROM {relation} WHERE {where}"
    personal = [p for p in h.personal if p["id"] not in h.columns]
    if d["kind"] in _VIEW_KINDS:
        erase_kind, erase = (
            "rebuild",
            f"-- {d['kind']}: rebuilt from its upstream; erase there, then refresh {relation}",
        )
    elif any(c["via"] == "key" for c in id_columns) or not personal:
        erase_kind, erase = "delete", f"DELETE FROM {relation} WHERE {where}"
    else:
        sets = ", ".join(f"{quote_ident(p['name'])} = NULL" for p in sorted(personal, key=lambda p: p["name"]))
        erase_kind, erase = "update", f"UPDATE {relation} SET {sets} WHERE {where}"
    return {
        "dataset": {
            "id": d["id"],
            "name": d["name"],
            "namespace": d["namespace"],
            "platform": d["platform"],
            "kind": d["kind"],
            "domain": d["domain__slug"] or "",
        },
        "server": d["namespace"],
        "columns": id_columns,
        "personal_columns": sorted(h.personal, key=lambda p: p["name"]),
        "products": products,
        "retention": _retention(d["properties"]),
        "queries": {"select": select, "erase": erase, "erase_kind": erase_kind, "params": {"subject": value}},
    }


__all__ = ["find", "identifier_types"]
