"""Column → dataset integrity by set-based triggers instead of a deferred foreign key.

Django's PostgreSQL foreign keys are DEFERRABLE INITIALLY DEFERRED: every inserted column
queues one RI check that runs at COMMIT (a first harvest of 101,750 columns spent ~1 s
committing them). The constraint is replaced by triggers that check the same thing once per
statement, over the statement's transition table, and lock the parents FOR KEY SHARE as the
RI check does; a dataset that still has columns cannot be deleted, re-keyed or truncated.
On SQLite (the embedded mode) the same rules are row-level triggers, created after every
migrate (``apps.catalog.integrity``: SQLite checks triggers when Django rebuilds a table).
Why, and what it costs: docs/decisions/0022-set-based-column-integrity.md.
"""

import django.db.models.deletion
from django.db import migrations, models

FK_ERROR = 'insert or update on table "catalog_column" violates foreign key on "dataset_id"'
PARENT_ERROR = 'delete, truncate or re-key on table "catalog_dataset" leaves rows of "catalog_column" behind'

POSTGRES_UP = f"""
create function catalog_column_dataset_check() returns trigger language plpgsql as $$
declare wanted bigint; found bigint;
begin
  -- The statement's distinct parents, and how many of them exist: locked FOR KEY SHARE as the
  -- RI check does, so that none is deleted before this transaction ends (a row deleted by a
  -- transaction that committed meanwhile is not found, and the counts differ).
  select count(*) into wanted from (select distinct dataset_id from new_rows) d;
  select count(*) into found from (
    select 1 from catalog_dataset d where d.id in (select dataset_id from new_rows) for key share of d
  ) locked;
  if found <> wanted then
    raise foreign_key_violation using message = '{FK_ERROR}';
  end if;
  return null;
end $$;
create trigger catalog_column_dataset_ins after insert on catalog_column
  referencing new table as new_rows for each statement execute function catalog_column_dataset_check();
create trigger catalog_column_dataset_upd after update on catalog_column
  referencing new table as new_rows for each statement execute function catalog_column_dataset_check();

create function catalog_dataset_columns_check() returns trigger language plpgsql as $$
begin
  if exists (select 1 from catalog_column c where c.dataset_id in (select id from old_rows)) then
    raise foreign_key_violation using message = '{PARENT_ERROR}';
  end if;
  return null;
end $$;
create trigger catalog_dataset_columns_del after delete on catalog_dataset
  referencing old table as old_rows for each statement execute function catalog_dataset_columns_check();

create function catalog_dataset_columns_rekey() returns trigger language plpgsql as $$
begin
  if exists (select 1 from catalog_column c where c.dataset_id = old.id) then
    raise foreign_key_violation using message = '{PARENT_ERROR}';
  end if;
  return new;
end $$;
create trigger catalog_dataset_columns_rekey before update of id on catalog_dataset
  for each row when (old.id is distinct from new.id) execute function catalog_dataset_columns_rekey();

-- after, so that TRUNCATE of both tables in one statement (a test flush) passes
create function catalog_dataset_columns_truncate() returns trigger language plpgsql as $$
begin
  if exists (select 1 from catalog_column) then
    raise foreign_key_violation using message = '{PARENT_ERROR}';
  end if;
  return null;
end $$;
create trigger catalog_dataset_columns_truncate after truncate on catalog_dataset
  for each statement execute function catalog_dataset_columns_truncate();
"""

POSTGRES_DOWN = """
drop trigger if exists catalog_column_dataset_ins on catalog_column;
drop trigger if exists catalog_column_dataset_upd on catalog_column;
drop trigger if exists catalog_dataset_columns_del on catalog_dataset;
drop trigger if exists catalog_dataset_columns_rekey on catalog_dataset;
drop trigger if exists catalog_dataset_columns_truncate on catalog_dataset;
drop function if exists catalog_column_dataset_check();
drop function if exists catalog_dataset_columns_check();
drop function if exists catalog_dataset_columns_rekey();
drop function if exists catalog_dataset_columns_truncate();
"""

def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_topics_queues_and_broker_lineage"),
    ]

    operations = [
        migrations.AlterField(
            model_name="column",
            name="dataset",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="columns",
                to="catalog.dataset",
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
