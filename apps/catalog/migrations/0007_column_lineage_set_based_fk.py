"""Column lineage → columns and source by set-based triggers; one generator for every such key.

A first dbt harvest of 5,000 models with column lineage writes ~104,000 column edges, and
each queued three deferred RI checks (upstream, downstream, source) that ran one by one at
COMMIT.
As migration 0004 did for ``Column.dataset`` (docs/decisions/0022), the constraints are
replaced by triggers that check once per statement over its transition table and lock the
parents FOR KEY SHARE as the RI check does; a column that still has edges cannot be
deleted, re-keyed or truncated, nor a source that still has edges.

``set_based_fk`` writes those triggers for any child columns that reference one parent. It
lives here, not in app code, so that this migration emits the same SQL for as long as it
exists; it re-creates 0004's ``Column.dataset`` triggers too, so that both keys are one shape
(with the parent's delete check planned per statement, below). SQLite: ``apps.catalog.integrity``.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

_0004 = importlib.import_module("apps.catalog.migrations.0004_column_dataset_set_based_fk")


def set_based_fk(child: str, columns: list[str], parent: str, *, child_name: str, parent_name: str) -> tuple[str, str]:
    """(create SQL, drop SQL) of the triggers that make ``child.columns`` reference ``parent.id``.

    Child side, after each INSERT/UPDATE statement: the distinct non-null keys of the
    statement's rows (every column at once) are counted, and so are their parents, locked FOR
    KEY SHARE; the counts differ when a parent is missing (or was deleted by a transaction that
    committed meanwhile). Parent side: after each DELETE statement one probe per deleted row and
    child column (an index probe, whatever the table's statistics say) refuses the delete if a
    deleted row is still referenced; a row trigger refuses re-keying a referenced row; after
    TRUNCATE (so that truncating both tables in one statement passes) any child row left
    refuses it.

    The two statement checks are dynamic SQL, planned for each statement (~0.2 ms): PL/pgSQL
    keeps a static query's first plan for the session, made for that first statement's size and
    the tables' sizes then (a seq scan of a still small table, or a hash over the whole child
    table, then used for every later statement of any size). On tables never analysed, the
    delete probe written as a semi-join was planned as a hash over all 104,000 edges for 20
    deleted columns (14 ms); the lateral probe with LIMIT 1 is a loop of index lookups.
    """
    fk_error = f'insert or update on table "{child}" violates foreign key on "{", ".join(columns)}"'
    parent_error = f'delete, truncate or re-key on table "{parent}" leaves rows of "{child}" behind'
    keys = " union all ".join(f"select {c} as id from new_rows" for c in columns)
    keys = f"select distinct id from ({keys}) k where id is not null"
    probes = " or ".join(
        f"exists (select 1 from old_rows o cross join lateral (select 1 from {child} c where c.{c} = o.id limit 1) hit)"
        for c in columns
    )
    rekey = " or ".join(f"c.{c} = old.id" for c in columns)
    up = f"""
create function {child_name}_check() returns trigger language plpgsql as $$
declare wanted bigint; found bigint;
begin
  execute $q$
    with keys as materialized ({keys})
    select (select count(*) from keys),
           (select count(*) from (select 1 from {parent} p where p.id in (select * from keys) for key share of p) locked)
  $q$ into wanted, found;
  if found <> wanted then
    raise foreign_key_violation using message = '{fk_error}';
  end if;
  return null;
end $$;
create trigger {child_name}_ins after insert on {child}
  referencing new table as new_rows for each statement execute function {child_name}_check();
create trigger {child_name}_upd after update on {child}
  referencing new table as new_rows for each statement execute function {child_name}_check();

create function {parent_name}_check() returns trigger language plpgsql as $$
declare referenced boolean;
begin
  execute $q$ select {probes} $q$ into referenced;
  if referenced then
    raise foreign_key_violation using message = '{parent_error}';
  end if;
  return null;
end $$;
create trigger {parent_name}_del after delete on {parent}
  referencing old table as old_rows for each statement execute function {parent_name}_check();

create function {parent_name}_rekey() returns trigger language plpgsql as $$
begin
  if exists (select 1 from {child} c where {rekey}) then
    raise foreign_key_violation using message = '{parent_error}';
  end if;
  return new;
end $$;
create trigger {parent_name}_rekey before update of id on {parent}
  for each row when (old.id is distinct from new.id) execute function {parent_name}_rekey();

create function {parent_name}_truncate() returns trigger language plpgsql as $$
begin
  if exists (select 1 from {child}) then
    raise foreign_key_violation using message = '{parent_error}';
  end if;
  return null;
end $$;
create trigger {parent_name}_truncate after truncate on {parent}
  for each statement execute function {parent_name}_truncate();
"""
    down = f"""
drop trigger if exists {child_name}_ins on {child};
drop trigger if exists {child_name}_upd on {child};
drop trigger if exists {parent_name}_del on {parent};
drop trigger if exists {parent_name}_rekey on {parent};
drop trigger if exists {parent_name}_truncate on {parent};
drop function if exists {child_name}_check();
drop function if exists {parent_name}_check();
drop function if exists {parent_name}_rekey();
drop function if exists {parent_name}_truncate();
"""
    return up, down


COLUMN_DATASET = set_based_fk(
    "catalog_column",
    ["dataset_id"],
    "catalog_dataset",
    child_name="catalog_column_dataset",
    parent_name="catalog_dataset_columns",
)
EDGE_COLUMNS = set_based_fk(
    "catalog_columnlineageedge",
    ["upstream_id", "downstream_id"],
    "catalog_column",
    child_name="catalog_columnlineageedge_columns",
    parent_name="catalog_column_lineage_edges",
)

# Every edge of a run names the one source: 104,000 deferred checks of the same row (0.3–0.5 s)
EDGE_SOURCE = set_based_fk(
    "catalog_columnlineageedge",
    ["source_id"],
    "harvest_source",
    child_name="catalog_columnlineageedge_source",
    parent_name="harvest_source_column_lineage_edges",
)


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_0004.POSTGRES_DOWN + COLUMN_DATASET[0] + EDGE_COLUMNS[0] + EDGE_SOURCE[0])


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EDGE_SOURCE[1] + EDGE_COLUMNS[1] + COLUMN_DATASET[1] + _0004.POSTGRES_UP)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_without_indexes_covered_or_unused"),
    ]

    operations = [
        migrations.AlterField(
            model_name="columnlineageedge",
            name="downstream",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="upstream_edges",
                to="catalog.column",
            ),
        ),
        migrations.AlterField(
            model_name="columnlineageedge",
            name="upstream",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="downstream_edges",
                to="catalog.column",
            ),
        ),
        migrations.AlterField(
            model_name="columnlineageedge",
            name="source",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="column_lineage_edges",
                to="harvest.source",
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
