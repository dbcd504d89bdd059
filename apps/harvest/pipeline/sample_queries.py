"""Sample queries a source declares (dbt ``meta.queries``), handed to the lab, which owns them."""


def reconcile_sample_queries(source, batch, report) -> None:
    """Make the source's imported queries exactly what it declares now (through the lab's action).

    Skipped for sources that never declared any, so a PostgreSQL harvest pays one query.
    """
    from apps.lab.actions import upsert_source_sample_queries
    from apps.lab.models import QueryOrigin, SampleQuery

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
