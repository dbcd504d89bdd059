"""Which datasets each source reported in its last successful run, and in what state."""

from django.db import models


class SourceDataset(models.Model):
    """A source's claim on a dataset: it reported it last time, with this record digest.

    Several sources may describe one dataset (a PostgreSQL table that is also a dbt model);
    a dataset is soft-deleted only when no source claims it any more. ``digest`` lets an
    unchanged re-harvest skip a dataset without reading or writing its columns.
    """

    # No FK indexes of their own: ``uniq_source_dataset`` leads with the source and
    # ``source_dataset_dataset_idx`` is the dataset's (copies only slowed a first harvest's COPY).
    source = models.ForeignKey("harvest.Source", on_delete=models.CASCADE, related_name="dataset_links", db_index=False)
    dataset = models.ForeignKey(
        "catalog.Dataset", on_delete=models.CASCADE, related_name="source_links", db_index=False
    )
    digest = models.CharField(max_length=64)
    # The source's own digest of the dataset (``SourceDigest``), handed back to the next run.
    source_digest = models.CharField(max_length=64, blank=True, default="")
    last_changed_run = models.ForeignKey(
        "harvest.HarvestRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "dataset"], name="uniq_source_dataset")]
        indexes = [models.Index(fields=["dataset"], name="source_dataset_dataset_idx")]

    def __str__(self):
        return f"{self.source_id} → {self.dataset_id}"
