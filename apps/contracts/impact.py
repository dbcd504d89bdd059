"""Impact reports: who a breaking change touches, and whether it touches what they read.

For a contract's port and a list of breaking changes (from a harvest, or proposed in a new
version), every consumer is found set-based and marked *affected* or *informed*:

- consumer products (input ports on the port): affected when one of their datasets is
  reached through column lineage from a touched column, or the change is dataset-wide;
- downstream datasets: walked breadth-first over column lineage (affected) and dataset
  lineage (informed), one query per level;
- access-grant holders and recent lab users: affected when the SQL they ran on the port
  (lab history, last ``LAB_DAYS``) or saved as a sample query reads a touched column —
  parsed with sqlglot; ``SELECT *`` reads every column.
"""

from datetime import timedelta
from functools import lru_cache

import sqlglot
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from sqlglot import exp

from apps.catalog.models import Column, ColumnLineageEdge, LineageEdge, Port
from apps.contracts import notify, odcs
from apps.contracts.models import ImpactEntry, ImpactReport

LAB_DAYS = 30
MAX_DEPTH = 20
MAX_LAB_RUNS = 5000
DATASET_WIDE = {"dataset_removed", "classification_raised", "sla_loosened"}
AFFECTED, INFORMED = ImpactEntry.Level.AFFECTED.value, ImpactEntry.Level.INFORMED.value


def touched_columns(port: Port, changes: list[dict]) -> tuple[dict[int, set[str]], bool]:
    """({dataset id: touched column names}, whether a change is dataset-wide) on the port."""
    datasets = list(port.datasets.only("id", "name", "short_name"))
    by_object: dict[int, set[str]] = {}
    wide = False
    for change in changes:
        subject = change["subject"]
        if change["kind"] in DATASET_WIDE or subject.startswith("sla."):
            wide = True
        obj, _, column = subject.rpartition(".") if change["kind"] not in ("dataset_removed",) else (subject, "", "")
        for d in datasets:
            if not obj or obj in (d.name, d.short_name) or d.name.endswith("." + obj):
                by_object.setdefault(d.pk, set())
                if column:
                    by_object[d.pk].add(column)
                else:
                    wide = True
    return by_object, wide


def build_impact(contract, changes: list[dict], *, trigger: str, version=None, actor=None) -> ImpactReport | None:
    """Write the report for ``changes`` (dicts from ``Change.as_dict``); None when nothing breaks."""
    breaking = [c for c in changes if c.get("breaking")]
    port = contract.port
    if not breaking or port is None:
        return None
    touched, wide = touched_columns(port, breaking)
    entries = consumers(port, touched, wide)
    with transaction.atomic():
        report = ImpactReport.objects.create(
            contract=contract,
            version=version,
            trigger=trigger,
            changes=breaking,
            affected_count=sum(e.level == AFFECTED for e in entries),
            informed_count=sum(e.level == INFORMED for e in entries),
        )
        for e in entries:
            e.report = report
        ImpactEntry.objects.bulk_create(entries, batch_size=2000)
        notify.impact_published(report, entries, actor)
    return report


def consumers(port: Port, touched: dict[int, set[str]], wide: bool) -> list[ImpactEntry]:
    touched_names = sorted({c for cols in touched.values() for c in cols})
    column_ids = (
        list(
            Column.objects.filter(
                Q(*[Q(dataset_id=ds, name__in=sorted(cols)) for ds, cols in touched.items()], _connector=Q.OR)
            ).values_list("id", flat=True)
        )
        if any(touched.values())
        else []
    )
    reached_columns = _walk(ColumnLineageEdge, column_ids)
    affected_datasets: dict[int, set[str]] = {}
    for ds, name in Column.objects.filter(pk__in=reached_columns).values_list("dataset_id", "name"):
        affected_datasets.setdefault(ds, set()).add(name)
    downstream = _walk(LineageEdge, list(touched))
    entries = []
    for ds in sorted(set(downstream) | set(affected_datasets)):
        if ds in touched:
            continue
        hit = ds in affected_datasets or wide
        entries.append(
            ImpactEntry(
                kind=ImpactEntry.Kind.DATASET,
                level=AFFECTED if hit else INFORMED,
                dataset_id=ds,
                columns=sorted(affected_datasets.get(ds, ())),
                reason=_reason(hit, sorted(affected_datasets.get(ds, ())), wide, "derives from"),
            )
        )
    entries += _products(port, affected_datasets, wide)
    entries += _people(port, touched_names, wide)
    return entries


def _walk(model, start: list[int]) -> set[int]:
    """Everything downstream of ``start`` over ``model``'s (upstream, downstream) edges."""
    seen, frontier = set(start), list(start)
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        nxt = set(model.objects.filter(upstream_id__in=frontier).values_list("downstream_id", flat=True)) - seen
        seen |= nxt
        frontier = list(nxt)
    return seen - set(start)


def _products(port, affected_datasets, wide) -> list[ImpactEntry]:
    out = []
    consumer_ports = list(
        Port.objects.filter(upstream_port=port).values_list("product_id", "name", "port_datasets__dataset_id")
    )
    product_datasets: dict[int, set] = {}
    product_ports: dict[int, str] = {}
    for product_id, name, ds in consumer_ports:
        product_datasets.setdefault(product_id, set())
        product_ports.setdefault(product_id, name)
        if ds:
            product_datasets[product_id].add(ds)
    if not product_datasets:
        return out
    from apps.catalog.models import PortDataset

    for product_id, ds in PortDataset.objects.filter(port__product_id__in=list(product_datasets)).values_list(
        "port__product_id", "dataset_id"
    ):
        product_datasets[product_id].add(ds)
    for product_id, datasets in product_datasets.items():
        columns = sorted({c for ds in datasets for c in affected_datasets.get(ds, ())})
        hit = wide or bool(columns)
        out.append(
            ImpactEntry(
                kind=ImpactEntry.Kind.PRODUCT,
                level=AFFECTED if hit else INFORMED,
                product_id=product_id,
                columns=columns,
                reason=_reason(hit, columns, wide, f"consumes the port through {product_ports[product_id]}; reads"),
            )
        )
    return out


def _people(port, touched_names: list[str], wide: bool) -> list[ImpactEntry]:
    from apps.governance.models import AccessGrant
    from apps.lab.models import QueryRun, SampleQuery

    now = timezone.now()
    grants = set(
        AccessGrant.objects.filter(port=port, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .values_list("user_id", flat=True)
    )
    sql_by_user: dict[int, set[str]] = {}
    for user_id, sql in (
        QueryRun.objects.filter(port=port, user__isnull=False, created_at__gte=now - timedelta(days=LAB_DAYS))
        .order_by("-created_at")
        .values_list("user_id", "sql")[:MAX_LAB_RUNS]
    ):
        sql_by_user.setdefault(user_id, set()).add(sql)
    for user_id, sql in SampleQuery.objects.filter(port=port, created_by__isnull=False).values_list(
        "created_by_id", "sql"
    ):
        sql_by_user.setdefault(user_id, set()).add(sql)
    out = []
    for user_id in sorted(grants | set(sql_by_user)):
        read = set()
        for sql in sql_by_user.get(user_id, ()):
            read |= columns_read(sql)
        columns = sorted(touched_names) if "*" in read else sorted(set(touched_names) & read)
        hit = wide and bool(sql_by_user.get(user_id)) or bool(columns)
        out.append(
            ImpactEntry(
                kind=ImpactEntry.Kind.GRANT if user_id in grants else ImpactEntry.Kind.LAB_USER,
                level=AFFECTED if hit else INFORMED,
                user_id=user_id,
                columns=columns,
                reason=_reason(hit, columns, wide, "your queries read"),
            )
        )
    return out


@lru_cache(maxsize=4096)
def _columns_read(sql: str) -> frozenset:
    try:
        trees = sqlglot.parse(sql, read="postgres")
    except Exception:  # unparsable SQL tells nothing; the person stays informed
        return frozenset()
    names = set()
    for tree in trees:
        if tree is None:
            continue
        names |= {c.name for c in tree.find_all(exp.Column) if c.name and c.name != "*"}
        for select in tree.find_all(exp.Select):  # "*" in a projection, not count(*)
            if any(
                isinstance(e, exp.Star) or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star))
                for e in select.expressions
            ):
                names.add("*")
    return frozenset(names)


def columns_read(sql: str) -> set[str]:
    """Column names ``sql`` reads (``*`` when it selects everything)."""
    return set(_columns_read(sql or ""))


def _reason(hit: bool, columns: list[str], wide: bool, verb: str) -> str:
    if columns:
        return f"{verb} {', '.join(columns[:10])}, which change."[:300]
    if hit and wide:
        return "The whole dataset changes (removed, reclassified or its SLA loosened)."
    return "Downstream of the change; does not read a touched column."


def preview(contract, document: dict) -> list[dict]:
    """Breaking changes of a proposed document against the active version (for ``mesh diff``)."""
    active = contract.versions.filter(status="active").order_by("-major", "-minor", "-patch").first()
    if active is None:
        return []
    return [c.as_dict() for c in odcs.diff_contracts(active.document, document)]
