"""Name-prefix btree indexes for every kind (``kind:name``), replacing the column-only ones.

Autocomplete finds datasets by the start of their name or qualified name through these,
and search finds columns the same way; a range scan costs the same for a word in every
table as for a rare one. The kind is part of the indexed expression, not a column of its
own, so that the planner never walks this index to find "any dataset" under a LIMIT.
"""
from django.db import migrations

POSTGRES_FORWARD = [
    "DROP INDEX IF EXISTS search_entry_column_name",
    "DROP INDEX IF EXISTS search_entry_column_keys",
    'CREATE INDEX search_entry_name_prefix ON search_searchentry (((kind || \':\' || text_a) COLLATE "C"))',
    'CREATE INDEX search_entry_key_prefix ON search_searchentry (((kind || \':\' || keys) COLLATE "C"))',
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_name_prefix",
    "DROP INDEX IF EXISTS search_entry_key_prefix",
    'CREATE INDEX search_entry_column_name ON search_searchentry (text_a COLLATE "C") WHERE kind = \'column\'',
    'CREATE INDEX search_entry_column_keys ON search_searchentry (keys COLLATE "C") WHERE kind = \'column\'',
]
SQLITE_FORWARD = [
    "DROP INDEX IF EXISTS search_entry_column_name",
    "DROP INDEX IF EXISTS search_entry_column_keys",
    "CREATE INDEX search_entry_name_prefix ON search_searchentry ((kind || ':' || text_a))",
    "CREATE INDEX search_entry_key_prefix ON search_searchentry ((kind || ':' || keys))",
]
SQLITE_BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_name_prefix",
    "DROP INDEX IF EXISTS search_entry_key_prefix",
    "CREATE INDEX search_entry_column_name ON search_searchentry (text_a) WHERE kind = 'column'",
    "CREATE INDEX search_entry_column_keys ON search_searchentry (keys) WHERE kind = 'column'",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0005_document_without_context")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
