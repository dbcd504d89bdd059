"""Reading PostgreSQL's change counters after a harvest: the measured half of freshness.

``pg_stat_user_tables`` counts inserted, updated and deleted tuples per table since the
statistics were reset; two readings that differ mean the table changed in between. After
each finished harvest of a PostgreSQL source, one query reads the counters of every
table of the database through the source's own read-only connection, and
``measure_postgres_counters`` records a change where a counter moved.
"""

import logging

from apps.catalog.models import Dataset
from apps.core.lookups import AnyOf
from apps.trust.freshness import measure_postgres_counters

log = logging.getLogger(__name__)

COUNTERS = """
select schemaname, relname, n_tup_ins + n_tup_upd + n_tup_del
from pg_stat_user_tables
"""


def read_counters(source) -> dict[str, int]:
    """``{db.schema.table: tuples changed}`` of the source's database (one query)."""
    from apps.harvest.harvesters.postgres.connect import connect
    from apps.harvest.runner import build_harvester

    harvester = build_harvester(source)
    with connect(harvester.config, harvester.secrets, application_name="mesh-catalog-freshness") as conn:
        dbname = conn.info.dbname
        rows = conn.execute(COUNTERS).fetchall()
    return {f"{dbname}.{schema}.{table}": int(n or 0) for schema, table, n in rows}


def measure_postgres_source(source, measured_at=None) -> int:
    """Record the changes of the source's datasets since the previous reading; rows written."""
    counters = read_counters(source)
    ids = dict(
        Dataset.objects.filter(AnyOf("name", counters), source=source, removed_at__isnull=True).values_list(
            "name", "pk"
        )
    )
    return measure_postgres_counters({ids[name]: n for name, n in counters.items() if name in ids}, measured_at)


def measure_after_runs(run_ids: list[int]) -> None:
    """After harvests finish: measure every successfully harvested PostgreSQL source."""
    from apps.harvest.models import HarvestRun

    runs = HarvestRun.objects.filter(pk__in=run_ids, source__kind="postgres", status__in=["succeeded", "partial"])
    for run in runs.select_related("source"):
        try:
            measure_postgres_source(run.source, run.finished_at)
        except Exception:  # a freshness reading must never fail the harvest that triggered it
            log.exception("trust: reading pg_stat counters of source %s failed", run.source.name)
