"""OpenLineage intake: RunEvents posted to ``/api/v1/lineage`` become datasets and lineage."""
