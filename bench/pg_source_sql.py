"""The source database of ``harvest_postgres.py`` (and ``listeners_bench.py``): DDL that
builds it, and DDL that changes 1 % of it."""

import secrets

TYPES = [
    "text",
    "integer",
    "bigint",
    "numeric(12,2)",
    "timestamp with time zone",
    "boolean",
    "date",
    "varchar(100)",
    "jsonb",
    "double precision",
]


def generate_source_sql(schemas: int, tables: int, columns: int, views: int) -> str:
    """DDL of the source database: tables with a primary key, a foreign key every 10th table,
    comments on every 5th, and views joining two tables of the same schema."""
    out = []
    for s in range(schemas):
        out.append(f"create schema s{s};")
        for t in range(tables):
            cols = ["id bigint primary key"] + [
                f"c{c} {TYPES[(c + t) % len(TYPES)]}{' not null' if c % 4 == 0 else ''}" for c in range(1, columns)
            ]
            if t % 10 == 9:
                cols.append(f"parent_id bigint references s{s}.t{t - 1} (id)")
            out.append(f"create table s{s}.t{t} ({', '.join(cols)});")
            if t % 5 == 0:
                out.append(f"comment on table s{s}.t{t} is 'Table {t} of schema {s}';")
    per_schema = max(1, views // max(schemas, 1))
    made = 0
    for s in range(schemas):
        for v in range(per_schema):
            if made >= views:
                break
            a, b = (2 * v) % tables, (2 * v + 1) % tables
            out.append(
                f"create view s{s}.v{v} as select a.id, a.c1, a.c2, b.c3, b.c4 as b_c4 from s{s}.t{a} a join s{s}.t{b} b on b.id = a.id;"
            )
            made += 1
    return "\n".join(out)


def change_sql(schemas: int, tables: int, share: float = 0.01) -> str:
    """Change ``share`` of the tables: half get a column, half lose one."""
    n = max(1, int(schemas * tables * share))
    tag = secrets.token_hex(2)  # unique names, so that --source-db can be reused
    out = []
    for i in range(n):
        s, t = i % schemas, (i * 7 + 3) % tables
        out.append(
            f"alter table s{s}.t{t} add column added_{tag}_{i} text;"
            if i % 2 == 0
            else f"alter table s{s}.t{t} drop column if exists c{5 + i % 3} cascade;"
        )
    return "\n".join(out)
