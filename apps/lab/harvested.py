"""Sample queries a source declares (dbt ``meta.queries``): the lab's step of the harvest pipeline.

Registered with ``apps.harvest.pipeline.extensions.register_reconcile_step`` from
``LabConfig.ready()``, so the pipeline reconciles them in the run's transaction without
importing the lab, which owns sample queries.
"""

from apps.lab.actions import upsert_source_sample_queries
from apps.lab.models import QueryOrigin, SampleQuery


def reconcile_sample_queries(source, batch, report) -> None:
    """Make the source's imported queries exactly what it declares now (through the lab's action).

    Skipped for sources that never declared any, so a PostgreSQL harvest pays one query.
    """
    if (
        not batch.sample_queries
        and not SampleQuery.objects.filter(origin=QueryOrigin.DBT, dataset__source=source).exists()
    ):
        return
    result = upsert_source_sample_queries(source, batch.sample_queries)
    for message in result.get("warnings", []):
        report.warn("sample_query_skipped", message)
    for key in ("created", "updated", "deleted"):
        report.add(f"sample_queries_{key}", result.get(key, 0))
