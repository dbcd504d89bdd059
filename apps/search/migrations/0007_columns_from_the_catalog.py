"""Column hits come from ``catalog_column`` itself: no more one ``SearchEntry`` per column.

Adds ``search_columnname`` (distinct column names and their search words) with a prefix
index on the words, an index on ``catalog_column (name, id)`` (the search app's index on a
lower app's table: names → columns at query time, in id order), deletes the column entries and their facets,
and fills the vocabulary of names from the catalog.
"""
from django.db import migrations, models

POSTGRES_FORWARD = [
    'CREATE INDEX search_columnname_words ON search_searchcolumnname ((words COLLATE "C"))',
    "CREATE INDEX search_column_name_idx ON catalog_column (name, id)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_column_name_idx",
    "DROP INDEX IF EXISTS search_columnname_words",
]
SQLITE_FORWARD = [
    "CREATE INDEX search_columnname_words ON search_searchcolumnname (words)",
    "CREATE INDEX search_column_name_idx ON catalog_column (name)",
    "DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_searchentry WHERE kind = 'column')",
]
SQLITE_BACKWARD = ["DROP INDEX IF EXISTS search_column_name_idx", "DROP INDEX IF EXISTS search_columnname_words"]
COMMON_FORWARD = [
    "DELETE FROM search_searchfacet WHERE entry_id IN (SELECT id FROM search_searchentry WHERE kind = 'column')",
    "DELETE FROM search_searchentry WHERE kind = 'column'",
    """INSERT INTO search_searchcolumnname (name, words)
       SELECT n.name, mesh_search_words(n.name) FROM (SELECT DISTINCT name FROM catalog_column) n""",
]


def _run(statements_by_vendor, common=()):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            return
        for sql in [*statements_by_vendor[vendor], *common]:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0006_name_prefix_indexes"), ("catalog", "0003_topics_queues_and_broker_lineage")]

    operations = [
        migrations.CreateModel(
            name="SearchColumnName",
            fields=[
                ("name", models.CharField(max_length=300, primary_key=True, serialize=False)),
                ("words", models.CharField(max_length=600)),
            ],
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}, COMMON_FORWARD),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
