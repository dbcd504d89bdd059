"""Column → dataset integrity on SQLite: triggers re-created after every ``migrate``.

``Column.dataset`` has no database foreign key (ADR 0022): on PostgreSQL, migration 0004's
statement-level triggers enforce it once per statement. SQLite gets the same rules as row
triggers, but they cannot live in a migration: SQLite checks every trigger when Django
rebuilds a table (``AlterField``), and these name the other table, so a later rebuild of
``catalog_dataset`` or ``catalog_column`` would fail. They are dropped before ``migrate``
and re-created after it (``CatalogConfig.ready`` connects the signals).
"""

from django.db import connections

FK_ERROR = 'insert or update on table "catalog_column" violates foreign key on "dataset_id"'
PARENT_ERROR = 'delete or re-key on table "catalog_dataset" leaves rows of "catalog_column" behind'

SQLITE_TRIGGERS = {
    "catalog_column_dataset_ins": f"""before insert on catalog_column
        when not exists (select 1 from catalog_dataset where id = new.dataset_id)
        begin select raise(abort, '{FK_ERROR}'); end""",
    "catalog_column_dataset_upd": f"""before update of dataset_id on catalog_column
        when not exists (select 1 from catalog_dataset where id = new.dataset_id)
        begin select raise(abort, '{FK_ERROR}'); end""",
    "catalog_dataset_columns_del": f"""before delete on catalog_dataset
        when exists (select 1 from catalog_column where dataset_id = old.id)
        begin select raise(abort, '{PARENT_ERROR}'); end""",
    "catalog_dataset_columns_rekey": f"""before update of id on catalog_dataset
        when old.id <> new.id and exists (select 1 from catalog_column where dataset_id = old.id)
        begin select raise(abort, '{PARENT_ERROR}'); end""",
}


def drop_sqlite_triggers(sender=None, using="default", **kwargs) -> None:
    """``pre_migrate``: out of the way of table rebuilds."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in SQLITE_TRIGGERS:
            cursor.execute(f"drop trigger if exists {name}")


def create_sqlite_triggers(sender=None, using="default", **kwargs) -> None:
    """``post_migrate``: back in place once both tables exist."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    tables = set(connection.introspection.table_names())
    if not {"catalog_column", "catalog_dataset"} <= tables:
        return
    with connection.cursor() as cursor:
        for name, body in SQLITE_TRIGGERS.items():
            cursor.execute(f"create trigger if not exists {name} {body}")
