"""Set-based foreign keys on SQLite: triggers re-created after every ``migrate``.

``Column.dataset`` and ``ColumnLineageEdge.upstream``/``downstream``/``source`` have no database
foreign key (ADR 0022): on PostgreSQL, statement-level triggers (migrations 0004 and 0007) enforce
them once per statement. SQLite gets the same rules as row triggers, but they cannot live in
a migration: SQLite checks every trigger when Django rebuilds a table (``AlterField``), and
these name another table, so a later rebuild of any table they name would fail. They are
dropped before ``migrate`` and re-created after it (``CatalogConfig.ready`` connects the
signals). Unlike the migrations' SQL, this is current code: it is never replayed, so it may
change freely.
"""

from django.db import connections


def _reference(child: str, columns: list[str], parent: str, *, child_name: str, parent_name: str) -> dict[str, str]:
    """Row triggers (name → body) that make ``child.columns`` reference ``parent.id``."""
    fk_error = f'insert or update on table "{child}" violates foreign key on "{", ".join(columns)}"'
    parent_error = f'delete or re-key on table "{parent}" leaves rows of "{child}" behind'
    missing = " or ".join(
        f"(new.{c} is not null and not exists (select 1 from {parent} where id = new.{c}))" for c in columns
    )
    referenced = " or ".join(f"exists (select 1 from {child} where {c} = old.id)" for c in columns)
    return {
        f"{child_name}_ins": f"""before insert on {child} when {missing}
            begin select raise(abort, '{fk_error}'); end""",
        f"{child_name}_upd": f"""before update of {", ".join(columns)} on {child} when {missing}
            begin select raise(abort, '{fk_error}'); end""",
        f"{parent_name}_del": f"""before delete on {parent} when {referenced}
            begin select raise(abort, '{parent_error}'); end""",
        f"{parent_name}_rekey": f"""before update of id on {parent} when old.id <> new.id and ({referenced})
            begin select raise(abort, '{parent_error}'); end""",
    }


# (tables the triggers name, triggers)
SQLITE_REFERENCES = [
    (
        {"catalog_column", "catalog_dataset"},
        _reference(
            "catalog_column",
            ["dataset_id"],
            "catalog_dataset",
            child_name="catalog_column_dataset",
            parent_name="catalog_dataset_columns",
        ),
    ),
    (
        {"catalog_columnlineageedge", "catalog_column"},
        _reference(
            "catalog_columnlineageedge",
            ["upstream_id", "downstream_id"],
            "catalog_column",
            child_name="catalog_columnlineageedge_columns",
            parent_name="catalog_column_lineage_edges",
        ),
    ),
    (
        {"catalog_columnlineageedge", "harvest_source"},
        _reference(
            "catalog_columnlineageedge",
            ["source_id"],
            "harvest_source",
            child_name="catalog_columnlineageedge_source",
            parent_name="harvest_source_column_lineage_edges",
        ),
    ),
]
SQLITE_TRIGGERS = {name: body for _, triggers in SQLITE_REFERENCES for name, body in triggers.items()}


def drop_sqlite_triggers(sender=None, using="default", **kwargs) -> None:
    """``pre_migrate``: out of the way of table rebuilds."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in SQLITE_TRIGGERS:
            cursor.execute(f"drop trigger if exists {name}")


def create_sqlite_triggers(sender=None, using="default", **kwargs) -> None:
    """``post_migrate``: back in place once the tables they name exist."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for needed, triggers in SQLITE_REFERENCES:
            if needed <= tables:
                for name, body in triggers.items():
                    cursor.execute(f"create trigger if not exists {name} {body}")
