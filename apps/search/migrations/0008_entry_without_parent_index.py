"""No ``(kind, parent_id)`` index on entries: only columns have a parent, and since 0007 they have no entries.

The reindex of a column's dataset records column names and never reads ``parent_id``; the
index was written for every entry (5,000 btree insertions per chunk of a first harvest)
and read by no query.
"""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("search", "0007_columns_from_the_catalog")]

    operations = [migrations.RemoveIndex(model_name="searchentry", name="search_entry_parent_idx")]
