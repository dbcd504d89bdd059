"""The PostgreSQL document holds weights A–C only: D words (owners, column lists) rank but do not select.

A generated column's expression cannot be altered in PostgreSQL 15, so the column and
the full-text indexes on it are rebuilt.
"""
from django.db import migrations

DOCUMENT_AC = """ALTER TABLE search_searchentry ADD COLUMN document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', text_a || ' ' || replace(keys, '|', ' ')), 'A')
 || setweight(to_tsvector('simple', text_b), 'B')
 || setweight(to_tsvector('simple', text_c), 'C')) STORED"""
DOCUMENT_ABCD = DOCUMENT_AC.replace(
    "setweight(to_tsvector('simple', text_c), 'C')) STORED",
    "setweight(to_tsvector('simple', text_c), 'C') || setweight(to_tsvector('simple', text_d), 'D')) STORED",
)
INDEXES = [
    "CREATE INDEX search_entry_small_gin ON search_searchentry USING gin (document) WHERE kind NOT IN ('column', 'dataset')",
    "CREATE INDEX search_entry_dataset_gin ON search_searchentry USING gin (document) WHERE kind = 'dataset'",
]


def _swap(document_sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("ALTER TABLE search_searchentry DROP COLUMN document")  # drops its indexes
        schema_editor.execute(document_sql)
        for sql in INDEXES:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0004_tiered_indexes")]

    operations = [migrations.RunPython(_swap(DOCUMENT_AC), _swap(DOCUMENT_ABCD))]
