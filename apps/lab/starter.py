"""Generated starter queries: one per dataset, plus a join along a foreign key.

Explicit column lists (never ``SELECT *``: a newcomer learns the columns), newest rows
first when there is a date or timestamp, a LIMIT, and a join to the referenced table
when the dataset has a foreign key (or, failing that, a column named like the single-
column primary key of another table on the same port).
"""

from dataclasses import dataclass

from apps.lab.sql_checks import port_table, quote_ident

LIMIT = 100
MAX_COLUMNS = 20
_TIME_TYPES = ("timestamp", "date", "time with", "timestamptz")
_TIME_HINTS = ("created", "updated", "_at", "_date", "date", "time", "day")


@dataclass(frozen=True)
class StarterQuery:
    """A query computed from the harvested schema (not stored)."""

    title: str
    sql: str
    description: str
    dataset_id: int | None
    origin: str = "generated"
    pk: None = None


def _relation(dataset) -> str:
    if dataset.platform == "glue":
        parts = dataset.name.split("/")
        db, table = (parts[-2], parts[-1]) if len(parts) >= 2 else ("", parts[-1])
        return f'"{db}"."{table}"' if db else f'"{table}"'
    return port_table(dataset.name).sql_name


def _order_column(columns) -> tuple[str, str] | None:
    timed = [c for c in columns if any(t in (c.data_type or "").lower() for t in _TIME_TYPES)]
    if timed:
        timed.sort(key=lambda c: (not any(h in c.name.lower() for h in _TIME_HINTS), c.ordinal))
        return timed[0].name, "DESC"
    keys = [c for c in columns if c.is_primary_key]
    if keys:
        return keys[0].name, ""
    return (columns[0].name, "") if columns else None


def _alias(name: str, taken: set[str]) -> str:
    base = "".join(p[0] for p in name.split("_") if p) or "t"
    alias, n = base, 2
    while alias in taken:
        alias, n = f"{base}{n}", n + 1
    taken.add(alias)
    return alias


def single_table_query(dataset, columns) -> StarterQuery:
    cols = columns[:MAX_COLUMNS]
    select = ",\n       ".join(quote_ident(c.name) for c in cols) or "*"
    order = _order_column(cols)
    sql = f"SELECT {select}\nFROM {_relation(dataset)}"
    if order:
        sql += f"\nORDER BY {quote_ident(order[0])}{' ' + order[1] if order[1] else ''}"
    sql += f"\nLIMIT {LIMIT}"
    what = (
        f"newest first by {order[0]}" if order and order[1] else f"ordered by {order[0]}" if order else "a first look"
    )
    return StarterQuery(
        title=f"First rows of {dataset.short_name}",
        sql=sql,
        description=f"{LIMIT} rows, {what}.",
        dataset_id=dataset.pk,
    )


def join_query(dataset, columns, target, target_columns, fk_cols, ref_cols, inferred: bool) -> StarterQuery:
    taken: set[str] = set()
    a, b = _alias(dataset.short_name, taken), _alias(target.short_name, taken)
    left = [f"{a}.{quote_ident(c.name)}" for c in columns[:8]]
    ref_set = set(ref_cols)
    right = [f"{b}.{quote_ident(c.name)}" for c in target_columns if c.name not in ref_set][:4]
    on = " AND ".join(f"{b}.{quote_ident(r)} = {a}.{quote_ident(f)}" for f, r in zip(fk_cols, ref_cols))
    order = _order_column(columns)
    sql = f"SELECT {', '.join(left + right)}\nFROM {_relation(dataset)} AS {a}\nJOIN {_relation(target)} AS {b} ON {on}"
    if order:
        sql += f"\nORDER BY {a}.{quote_ident(order[0])}{' ' + order[1] if order[1] else ''}"
    sql += f"\nLIMIT {LIMIT}"
    how = "a column named like its key" if inferred else "the foreign key"
    return StarterQuery(
        title=f"{dataset.short_name} with their {target.short_name}",
        sql=sql,
        description=f"Joins {dataset.short_name} to {target.short_name} along {how} ({', '.join(fk_cols)}).",
        dataset_id=dataset.pk,
    )


def starter_queries(datasets, columns_by_dataset: dict, constraints) -> list[StarterQuery]:
    """``datasets`` of one port (live), their columns (ordered) and FK constraints among them."""
    datasets = [d for d in datasets if d.removed_at is None and d.platform in ("postgres", "glue", "duckdb")]
    by_id = {d.pk: d for d in datasets}
    out = [single_table_query(d, columns_by_dataset.get(d.pk, [])) for d in datasets]
    joined: set[int] = set()
    for fk in constraints:
        if (
            fk.kind != "foreign_key"
            or fk.dataset_id not in by_id
            or fk.referenced_dataset_id not in by_id
            or fk.dataset_id in joined
        ):
            continue
        if not fk.columns or len(fk.columns) != len(fk.referenced_columns or []):
            continue
        joined.add(fk.dataset_id)
        d, t = by_id[fk.dataset_id], by_id[fk.referenced_dataset_id]
        out.append(
            join_query(
                d,
                columns_by_dataset.get(d.pk, []),
                t,
                columns_by_dataset.get(t.pk, []),
                fk.columns,
                fk.referenced_columns,
                inferred=False,
            )
        )
    # Without declared keys (dbt models rarely have them), infer one join per dataset.
    single_pk = {}
    for d in datasets:
        keys = [c.name for c in columns_by_dataset.get(d.pk, []) if c.is_primary_key]
        if len(keys) == 1:
            single_pk[d.pk] = keys[0]
    if not joined:
        for d in datasets:
            names = {c.name for c in columns_by_dataset.get(d.pk, [])}
            for t in datasets:
                key = single_pk.get(t.pk)
                if t.pk != d.pk and key and key in names and single_pk.get(d.pk) != key and d.pk not in joined:
                    joined.add(d.pk)
                    out.append(
                        join_query(
                            d,
                            columns_by_dataset.get(d.pk, []),
                            t,
                            columns_by_dataset.get(t.pk, []),
                            [key],
                            [key],
                            inferred=True,
                        )
                    )
    return out
