"""Set-based upserts: COPY into a temporary table, then one INSERT … ON CONFLICT … RETURNING.

Django's ``bulk_create`` compiles every value in Python (about 1 µs each); at 100,000
columns that alone takes seconds. On PostgreSQL rows are streamed with COPY and merged by
the server; on other databases (the embedded SQLite mode) ``bulk_create`` does the same job.
Rows are tuples of database-ready values in ``fields`` order (JSON as encoded text).
"""

import itertools

import orjson
from django.db import connection, transaction

_counter = itertools.count()


def dumps(value) -> str:
    return orjson.dumps(value, default=str).decode()


def upsert(
    model,
    fields: list[str],
    rows: list[tuple],
    *,
    conflict: list[str] | None = None,
    update: list[str] | None = None,
    returning: list[str] | None = None,
) -> list[tuple]:
    """Insert ``rows`` into ``model``'s table; on a ``conflict`` update the ``update`` columns.

    ``fields``/``conflict``/``update``/``returning`` are column names. Returns the
    ``returning`` columns of every inserted or updated row (in no particular order).
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        return _upsert_with_orm(model, fields, rows, conflict, update, returning)
    table = model._meta.db_table
    temp = f"_harvest_{table}_{next(_counter)}"
    cols = ", ".join(f'"{f}"' for f in fields)
    with transaction.atomic(), connection.cursor() as cursor:  # "on commit drop" needs a transaction
        cursor.execute(f'create temporary table "{temp}" on commit drop as select {cols} from "{table}" limit 0')
        with cursor.cursor.copy(f'copy "{temp}" ({cols}) from stdin') as copy:
            for row in rows:
                copy.write_row(row)
        sql = f'insert into "{table}" ({cols}) select {cols} from "{temp}"'
        if conflict:
            target = ", ".join(f'"{f}"' for f in conflict)
            if update:
                sql += f" on conflict ({target}) do update set " + ", ".join(f'"{f}" = excluded."{f}"' for f in update)
            else:
                sql += f" on conflict ({target}) do nothing"
        if returning:
            sql += " returning " + ", ".join(f'"{f}"' for f in returning)
        cursor.execute(sql)
        result = cursor.fetchall() if returning else []
        cursor.execute(f'drop table "{temp}"')
    return result


def _upsert_with_orm(model, fields, rows, conflict, update, returning):
    by_column = {f.column: f for f in model._meta.concrete_fields}
    objs = []
    for row in rows:
        values = {}
        for name, value in zip(fields, row, strict=True):
            field = by_column[name]
            if field.get_internal_type() == "JSONField" and isinstance(value, str):
                value = orjson.loads(value)
            values[field.attname] = value
        objs.append(model(**values))
    kwargs = {}
    if conflict:
        conflict_names = [by_column[c].name for c in conflict]
        if update:
            kwargs = {
                "update_conflicts": True,
                "unique_fields": conflict_names,
                "update_fields": [by_column[u].name for u in update],
            }
        else:
            kwargs = {"ignore_conflicts": True}
    model.objects.bulk_create(objs, batch_size=500, **kwargs)
    if not returning:
        return []
    if conflict:  # ignore_conflicts returns no ids: re-read the rows by their conflict key
        keys = {tuple(getattr(o, by_column[c].attname) for c in conflict) for o in objs}
        first = by_column[conflict[0]].attname
        candidates = model.objects.filter(**{f"{first}__in": {k[0] for k in keys}})
        return [
            tuple(getattr(o, by_column[c].attname) for c in returning)
            for o in candidates
            if tuple(getattr(o, by_column[c].attname) for c in conflict) in keys
        ]
    return [tuple(getattr(o, by_column[c].attname) for c in returning) for o in objs]
