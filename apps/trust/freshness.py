"""Measured freshness: when each output dataset last changed, against the latency promised.

What counts as a measured change, newest wins:

- an OpenLineage ``COMPLETE`` event that wrote the dataset (its ``eventTime``);
- PostgreSQL's tuple-change counters (``pg_stat_user_tables``: inserts + updates +
  deletes) that moved between two measurements (``measure_postgres_changes``);
- the modification time the source reports (Glue ``UpdateTime``), kept on the dataset;
- a dbt source freshness result: its ``max_loaded_at`` age is dbt's own measurement.

The promise is the output port's ``endpoint_details.latency`` (``"30m"``, ``"6h"``,
``"1d"`` or minutes), or else the dbt source's ``error_after`` policy. Compared to the
minute.
"""

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from apps.catalog.models import Dataset, QualityCheck, QualityResult
from apps.core.lookups import AnyOf, array_literal
from apps.trust.models import DatasetChange

_LATENCY_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|minutes?|h|hours?|d|days?)?\s*$", re.IGNORECASE)
_PERIOD_MINUTES = {"minute": 1, "hour": 60, "day": 1440}


def parse_latency(value) -> int | None:
    """Minutes in ``"30m"``, ``"6h"``, ``"1d"``, ``90`` (minutes); ``None`` if unreadable."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    if isinstance(value, (int, float)):
        return int(value) if value > 0 else None
    match = _LATENCY_RE.match(str(value))
    if not match:
        return None
    amount, unit = float(match.group(1)), (match.group(2) or "m").lower()
    factor = 1440 if unit.startswith("d") else 60 if unit.startswith("h") else 1
    return int(amount * factor) or None


def _policy_minutes(definition: dict) -> int | None:
    policy = (definition or {}).get("error_after") or (definition or {}).get("warn_after") or {}
    count, period = policy.get("count"), policy.get("period")
    if not count or period not in _PERIOD_MINUTES:
        return None
    return int(count) * _PERIOD_MINUTES[period]


@dataclass
class DatasetFreshness:
    """One output dataset's measured last change and its promise."""

    product_id: int
    dataset_id: int
    dataset_name: str
    promised_minutes: int | None
    changed_at: datetime | None
    evidence: str
    fresh: bool | None

    @property
    def age_minutes(self) -> int | None:
        return None if self.changed_at is None else int((timezone.now() - self.changed_at).total_seconds() // 60)

    @property
    def label(self) -> str:
        if self.changed_at is None and self.evidence != "dbt_freshness":
            return f"{self.dataset_name}: no change measured (promised {self.promised_minutes} min)"
        if self.changed_at is None:
            return f"{self.dataset_name}: dbt source freshness fails (promised {self.promised_minutes} min)"
        return f"{self.dataset_name}: changed {self.age_minutes} min ago, promised {self.promised_minutes} min"


def freshness_by_product(scope) -> dict[int, list[DatasetFreshness]]:
    """Every (product, output dataset) pair of ``scope`` with its freshness, in three queries."""
    now = timezone.now()
    latest_status = QualityResult.objects.filter(quality_check=OuterRef("pk")).order_by("-observed_at")
    dbt = {}
    fresh_checks = QualityCheck.objects.filter(
        check_type="freshness", removed_at__isnull=True, dataset__in=scope.output_links().values("dataset_id")
    ).annotate(status=Subquery(latest_status.values("status")[:1]))
    for dataset_id, definition, status in fresh_checks.values_list("dataset_id", "definition", "status"):
        dbt[dataset_id] = (_policy_minutes(definition), status)
    rows = scope.output_links().values_list(
        "port__product_id",
        "dataset_id",
        "dataset__name",
        "port__endpoint_details",
        "dataset__last_modified_at",
        "dataset__measured_change__changed_at",
        "dataset__measured_change__evidence",
    )
    out: dict[int, dict[int, DatasetFreshness]] = {}
    for pid, did, name, details, modified, measured, measured_evidence in rows:
        promised = parse_latency((details or {}).get("latency")) if isinstance(details, dict) else None
        policy, status = dbt.get(did, (None, None))
        candidates = [(t, e) for t, e in ((measured, measured_evidence), (modified, "source")) if t is not None]
        changed_at, evidence = max(candidates) if candidates else (None, "")
        if promised is None and policy is not None:
            promised = policy
        if changed_at is not None and promised is not None:
            fresh = now - changed_at <= timedelta(minutes=promised)
        elif status is not None and promised is not None:
            fresh, evidence = status in ("pass", "warn"), "dbt_freshness"
        else:
            fresh = None if promised is None else False
        if status is not None and changed_at is None:
            evidence = "dbt_freshness"
        row = DatasetFreshness(pid, did, name, promised, changed_at, evidence, fresh)
        known = out.setdefault(pid, {}).get(did)
        if known is None or (row.promised_minutes or 10**9) < (known.promised_minutes or 10**9):
            out[pid][did] = row  # the strictest promise of the ports exposing it
    return {pid: sorted(rows.values(), key=lambda r: r.dataset_name) for pid, rows in out.items()}


# --- Measuring ----------------------------------------------------------------------


def record_change(dataset_changes: dict[int, tuple[datetime, str, int | None]]) -> int:
    """Store ``{dataset id: (changed_at, evidence, counter)}`` where newer; returns rows written."""
    if not dataset_changes:
        return 0
    known = {c.dataset_id: c for c in DatasetChange.objects.filter(AnyOf("dataset_id", dataset_changes))}
    new, changed = [], []
    for did, (when, evidence, counter) in dataset_changes.items():
        row = known.get(did)
        if row is None:
            new.append(DatasetChange(dataset_id=did, changed_at=when, evidence=evidence, counter=counter))
        elif row.changed_at is None or when > row.changed_at or (counter is not None and counter != row.counter):
            row.changed_at = when if row.changed_at is None else max(when, row.changed_at)
            row.evidence, row.counter = evidence, counter if counter is not None else row.counter
            changed.append(row)
    DatasetChange.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    DatasetChange.objects.bulk_update(changed, ["changed_at", "evidence", "counter"], batch_size=1000)
    return len(new) + len(changed)


def measure_lineage_events(event_ids: list[int]) -> list[int]:
    """Record the change of every dataset a COMPLETE event among ``event_ids`` wrote; returns their ids."""
    from apps.harvest.openlineage.models import LineageEvent

    written: dict[tuple[str, str], datetime] = {}
    for event_time, payload in LineageEvent.objects.filter(pk__in=event_ids, event_type="COMPLETE").values_list(
        "event_time", "payload"
    ):
        for output in (payload or {}).get("outputs") or []:
            if (
                isinstance(output, dict)
                and isinstance(output.get("namespace"), str)
                and isinstance(output.get("name"), str)
            ):
                key = (output["namespace"], output["name"])
                written[key] = max(event_time, written.get(key, event_time))
    if not written:
        return []
    found = {
        (ns, name): pk
        for pk, ns, name in Dataset.objects.filter(
            namespace__in={ns for ns, _ in written}, name__in={n for _, n in written}
        ).values_list("pk", "namespace", "name")
    }
    changes = {found[key]: (when, "openlineage", None) for key, when in written.items() if key in found}
    record_change(changes)
    return sorted(changes)


def measure_postgres_counters(counters: dict[int, int], measured_at: datetime | None = None) -> int:
    """Record a change for each dataset whose pg_stat counter moved since the last measurement.

    The first counter seen for a table is only stored: a change is a difference.
    """
    measured_at = measured_at or timezone.now()
    known = {
        did: (pk, counter)
        for pk, did, counter in DatasetChange.objects.filter(AnyOf("dataset_id", counters)).values_list(
            "pk", "dataset_id", "counter"
        )
    }
    changes, first, counted = {}, {}, []
    for did, counter in counters.items():
        if did not in known:
            first[did] = counter
        elif known[did][1] is None:
            counted.append(DatasetChange(pk=known[did][0], counter=counter))
        elif known[did][1] != counter:
            changes[did] = (measured_at, "pg_stat", counter)
    DatasetChange.objects.bulk_update(counted, ["counter"], batch_size=1000)
    return record_change(changes) + store_first_counters(first)


def store_first_counters(first: dict[int, int]) -> int:
    """Insert ``{dataset id: counter}`` as first readings (no change measured yet); returns rows.

    One ``INSERT … SELECT`` of two arrays (one JSON list on SQLite): the first harvest of a
    large database reads 5,000 counters at once, and ``bulk_create`` spent 0.15 s building and
    preparing 5,000 model objects for them. Rows that exist meanwhile are left as they are.
    """
    if not first:
        return 0
    table = connection.ops.quote_name(DatasetChange._meta.db_table)
    columns = "(dataset_id, changed_at, evidence, counter)"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} {columns} SELECT d, NULL, 'pg_stat', c"
                " FROM unnest(%s::bigint[], %s::bigint[]) AS x(d, c) ON CONFLICT (dataset_id) DO NOTHING",
                [array_literal(first)[0], array_literal(first.values())[0]],
            )
        else:
            cursor.execute(
                f"INSERT INTO {table} {columns} SELECT json_extract(value, '$[0]'), NULL, 'pg_stat',"
                " json_extract(value, '$[1]') FROM json_each(%s) WHERE true ON CONFLICT (dataset_id) DO NOTHING",
                [json.dumps(list(first.items()))],
            )
        return cursor.rowcount
