"""Two indexes a harvest paid for on every write and no query needed.

``column_dataset_ordinal_idx`` (dataset, ordinal): the unique (dataset, name) index finds a
dataset's columns and their few hundred rows sort by ordinal in memory; the index cost the
first harvest's COPY of 101,750 columns 0.05–0.15 s (issue 17). ``Dataset.source``'s own
index is a prefix of ``dataset_source_live_idx`` (source, removed_at).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0005_without_duplicate_fk_indexes'),
        ('harvest', '0006_without_duplicate_fk_indexes'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='column',
            name='column_dataset_ordinal_idx',
        ),
        migrations.AlterField(
            model_name='dataset',
            name='source',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='datasets', to='harvest.source'),
        ),
    ]
