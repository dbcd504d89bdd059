"""Backend-specific full-text structures next to the portable tables of 0001.

PostgreSQL: the ``pg_trgm`` extension, the ``mesh_search_words`` SQL function (the twin of
``apps.search.text.search_words``), a generated weighted ``tsvector`` with GIN indexes
(one partial, without columns, for autocomplete) and a trigram GiST index on the vocabulary
for typo correction. SQLite: an FTS5 table and its vocabulary view. Other vendors: nothing.
"""
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

POSTGRES_FORWARD = [
    r"""
    CREATE OR REPLACE FUNCTION mesh_search_words(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
      SELECT btrim(regexp_replace(lower(
        regexp_replace(regexp_replace(coalesce(t, ''), '([a-z0-9])([A-Z])', '\1 \2', 'g'),
                       '([A-Z])([A-Z][a-z])', '\1 \2', 'g')),
        '[^[:alnum:]]+', ' ', 'g'))
    $fn$
    """,
    r"""
    CREATE OR REPLACE FUNCTION mesh_last_two(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
      SELECT coalesce(substring(coalesce(t, '') from '[^./]*[./]?[^./]+$'), '')
    $fn$
    """,
    """
    ALTER TABLE search_searchentry ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', text_a || ' ' || replace(keys, '|', ' ')), 'A')
     || setweight(to_tsvector('simple', text_b), 'B')
     || setweight(to_tsvector('simple', text_c), 'C')
     || setweight(to_tsvector('simple', text_d), 'D')) STORED
    """,
    "CREATE INDEX search_entry_document_gin ON search_searchentry USING gin (document)",
    "CREATE INDEX search_entry_names_gin ON search_searchentry USING gin (document) WHERE kind <> 'column'",
    "CREATE INDEX search_word_trgm ON search_searchword USING gist (word gist_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_word_trgm",
    "DROP INDEX IF EXISTS search_entry_names_gin",
    "DROP INDEX IF EXISTS search_entry_document_gin",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS document",
    "DROP FUNCTION IF EXISTS mesh_search_words(text)",
    "DROP FUNCTION IF EXISTS mesh_last_two(text)",
]
SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(text_a, keys, text_b, text_c, text_d, tokenize = "unicode61 remove_diacritics 0")""",
    "CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab(search_fts, row)",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS search_fts_vocab", "DROP TABLE IF EXISTS search_fts"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
