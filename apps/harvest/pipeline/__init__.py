"""The harvest pipeline: records in, catalog rows out, in one transaction per run.

``reconcile(source, records, run)`` is the one entry point every harvester kind shares.
"""

from apps.harvest.pipeline.datasets import FailSafeError, known_source_digests
from apps.harvest.pipeline.reconcile import reconcile
from apps.harvest.pipeline.report import RunReport

__all__ = ["FailSafeError", "RunReport", "known_source_digests", "reconcile"]
