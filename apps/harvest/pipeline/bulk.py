"""Set-based writes: ``upsert`` (COPY into a temporary table, then one INSERT … ON CONFLICT …
RETURNING) and ``insert_new`` (COPY straight into the table, for rows that cannot exist yet).

Django's ``bulk_create`` compiles every value in Python (about 1 µs each); at 100,000
columns that alone takes seconds. On PostgreSQL rows are streamed with COPY and merged by
the server; on other databases (the embedded SQLite mode) ``bulk_create`` does the same job.
Rows are tuples of database-ready values in ``fields`` order (JSON as encoded text).

The merge costs more than the COPY (the temporary table, then a probe of every unique index
per row): on a first harvest 101,750 columns took 0.11 s to COPY and 1.28 s to merge. Rows of
a parent this transaction inserted itself (``upsert(..., inserted=True)`` says which) cannot
collide with anything, so the pipeline writes them with ``insert_new``.
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
    inserted: bool = False,
) -> list[tuple]:
    """Insert ``rows`` into ``model``'s table; on a ``conflict`` update the ``update`` columns.

    ``fields``/``conflict``/``update``/``returning`` are column names. Returns the
    ``returning`` columns of every inserted or updated row (in no particular order). With
    ``inserted`` each returned tuple ends with True when this statement inserted the row
    (PostgreSQL: ``xmax = 0``, no lock or update on it yet), False when it updated one; other
    databases always say False, so callers treat every row as possibly existing.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        result = _upsert_with_orm(model, fields, rows, conflict, update, returning)
        return [(*r, False) for r in result] if inserted else result
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
            if inserted:
                sql += ", (xmax = 0)"
        cursor.execute(sql)
        result = cursor.fetchall() if returning else []
        cursor.execute(f'drop table "{temp}"')
    return result


def insert_new(model, fields: list[str], rows: list[tuple], *, ids: bool = False) -> list[int]:
    """Insert ``rows`` that cannot conflict with existing ones: COPY straight into the table.

    For rows whose parent this transaction inserted (``upsert(..., inserted=True)``): no
    other transaction can see that parent, so nothing can hold rows under it. With ``ids``
    the primary keys are drawn from the table's sequence first (one statement) and returned
    in ``rows`` order, as COPY returns nothing.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        return [r[0] for r in _upsert_with_orm(model, fields, rows, None, None, ["id"] if ids else None)]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        pks: list[int] = []
        if ids:
            cursor.execute(
                "select nextval(pg_get_serial_sequence(%s, 'id')) from generate_series(1, %s)", [table, len(rows)]
            )
            pks = [r[0] for r in cursor.fetchall()]
            rows = [(pk, *row) for pk, row in zip(pks, rows, strict=True)]
            fields = ["id", *fields]
        cols = ", ".join(f'"{f}"' for f in fields)
        # psycopg's own COPY bypasses Django's cursor: wrap its errors (an IntegrityError stays one)
        with connection.wrap_database_errors, cursor.cursor.copy(f'copy "{table}" ({cols}) from stdin') as copy:
            for row in rows:
                copy.write_row(row)
    return pks


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
