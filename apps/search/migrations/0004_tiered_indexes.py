"""Indexes for tiered candidate selection, so that no query walks a million entries.

Columns are 95% of a large catalog and their words ("id", "order", "customer") are in
every other table: a full-text index over them answers common words with posting lists of
hundreds of thousands of rows. So the full-text (GIN) indexes cover the other kinds only
(split: small kinds, datasets), exact names go through a GIN on the key array, and
columns are found by their name (or qualified name) through btree range scans.
"""
from django.db import migrations

POSTGRES_FORWARD = [
    "DROP INDEX IF EXISTS search_entry_document_gin",
    "DROP INDEX IF EXISTS search_entry_names_gin",
    "CREATE INDEX search_entry_small_gin ON search_searchentry USING gin (document) WHERE kind NOT IN ('column', 'dataset')",
    "CREATE INDEX search_entry_dataset_gin ON search_searchentry USING gin (document) WHERE kind = 'dataset'",
    "ALTER TABLE search_searchentry ADD COLUMN key_list text[] GENERATED ALWAYS AS (string_to_array(btrim(keys, '|'), '|')) STORED",
    "CREATE INDEX search_entry_keys_gin ON search_searchentry USING gin (key_list) WHERE kind <> 'column'",
    'CREATE INDEX search_entry_column_name ON search_searchentry (text_a COLLATE "C") WHERE kind = \'column\'',
    'CREATE INDEX search_entry_column_keys ON search_searchentry (keys COLLATE "C") WHERE kind = \'column\'',
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_column_keys",
    "DROP INDEX IF EXISTS search_entry_column_name",
    "DROP INDEX IF EXISTS search_entry_keys_gin",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS key_list",
    "DROP INDEX IF EXISTS search_entry_dataset_gin",
    "DROP INDEX IF EXISTS search_entry_small_gin",
    "CREATE INDEX search_entry_document_gin ON search_searchentry USING gin (document)",
    "CREATE INDEX search_entry_names_gin ON search_searchentry USING gin (document) WHERE kind <> 'column'",
]
SQLITE_FORWARD = [
    "CREATE INDEX search_entry_column_name ON search_searchentry (text_a) WHERE kind = 'column'",
    "CREATE INDEX search_entry_column_keys ON search_searchentry (keys) WHERE kind = 'column'",
]
SQLITE_BACKWARD = ["DROP INDEX IF EXISTS search_entry_column_name", "DROP INDEX IF EXISTS search_entry_column_keys"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_facet_entry_without_constraint")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
