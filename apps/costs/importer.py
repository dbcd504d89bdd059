"""Importing one billing file: stream, attribute, roll up, replace the periods it covers.

One transaction: the file's lines are written in batches while it streams (bounded memory:
one batch plus the roll-up, whose size depends on months × products × services, not on the
line count), then the earlier lines and allocations of the same source and billing periods
are deleted. Any error rolls everything back and is recorded on a failed ``CostImport`` row,
so a bad file changes nothing.
"""

import io
import json
import time
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction

from apps.costs.attribution import Attributor
from apps.costs.budgets import check_budgets
from apps.costs.formats import READERS, BillingFileError
from apps.costs.models import Basis, CostAllocation, CostImport, CostLine, ImportStatus
from apps.costs.sharing import ShareWeights, split

BATCH = 5000
LINE_COLUMNS = (
    "cost_import_id",
    "source_name",
    "line_number",
    "billing_period",
    "month",
    "charge_start",
    "charge_end",
    "charge_category",
    "service_name",
    "resource_id",
    "region",
    "account",
    "billed_cost",
    "effective_cost",
    "currency",
    "tags",
    "product_id",
    "domain_id",
    "basis",
)


ALLOCATION_COLUMNS = (
    "cost_import_id",
    "source_name",
    "billing_period",
    "month",
    "service_name",
    "currency",
    "line_count",
    "product_id",
    "domain_id",
    "basis",
    "rule",
    "amount",
)


_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = frozenset("\\\t\n\r")


def _copy_field(value) -> str:
    """One field in COPY's text format (building the text ourselves is ~3× faster than write_row)."""
    if type(value) is str:  # most fields: the exact-type test first, and no copy when nothing needs escaping
        return value.translate(_ESCAPE) if _NEEDS_ESCAPE.intersection(value) else value
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPE)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)  # int, Decimal, date


class _RowWriter:
    """Writes rows of one table: one streaming COPY on PostgreSQL, batched INSERTs elsewhere.

    On PostgreSQL the COPY stays open for the whole import and a writer thread
    (``QueuedLibpqWriter``) sends each batch while the next one is parsed, so the server
    ingests while the client reads the file. Use as a context manager.
    """

    def __init__(self, model, columns: tuple[str, ...]):
        self.model, self.columns = model, columns
        self.rows: list[tuple] = []
        self.copy = connection.vendor == "postgresql"
        self._cursor = self._copy = self._copy_cm = None

    def __enter__(self):
        if self.copy:
            from psycopg.copy import QueuedLibpqWriter

            connection.ensure_connection()
            self._cursor = connection.connection.cursor()
            sql = f"COPY {self.model._meta.db_table} ({', '.join(self.columns)}) FROM STDIN"
            self._copy_cm = self._cursor.copy(sql, writer=QueuedLibpqWriter(self._cursor))
            self._copy = self._copy_cm.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.flush()
        if self._copy_cm is not None:
            try:
                self._copy_cm.__exit__(exc_type, exc, tb)
            finally:
                self._cursor.close()
        return False

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        if self.copy:
            self._copy.write("".join("\t".join(map(_copy_field, row)) + "\n" for row in self.rows))
        else:
            self.model.objects.bulk_create(
                [self.model(**dict(zip(self.columns, row, strict=True))) for row in self.rows], batch_size=500
            )
        self.rows = []


def _key(line, attribution) -> tuple:
    return (line.billing_period, line.month, line.service_name, line.currency, attribution)


def import_billing_file(stream, *, fmt: str, source_name: str, file_name: str, sha256: str, actor_label: str):
    """Read ``stream`` (text) as ``fmt``; returns the ``CostImport`` (succeeded or failed)."""
    started = time.perf_counter()
    reader = READERS[fmt]
    max_lines = getattr(settings, "MESH_COST_MAX_LINES", 5_000_000)
    try:
        with transaction.atomic():
            cost_import = CostImport.objects.create(
                source_name=source_name,
                format=fmt,
                file_name=file_name[:300],
                sha256=sha256,
                status=ImportStatus.SUCCEEDED,
                created_by=actor_label,
            )
            attributor = Attributor()
            rollup: dict[tuple, list] = defaultdict(lambda: [Decimal(0), 0])
            totals: dict[str, Decimal] = defaultdict(Decimal)
            unknown_tags: dict[str, int] = defaultdict(int)
            periods, count = set(), 0
            with _RowWriter(CostLine, LINE_COLUMNS) as writer:
                for line in reader(stream):
                    count += 1
                    if count > max_lines:
                        raise BillingFileError(f"The file has more than {max_lines} lines (MESH_COST_MAX_LINES).")
                    attribution = attributor.attribute(line.tags, line.resource_id)
                    if attribution.unknown_tag:
                        unknown_tags[attribution.unknown_tag] += 1
                    periods.add(line.billing_period)
                    totals[line.currency] += line.effective_cost
                    entry = rollup[_key(line, attribution)]
                    entry[0] += line.effective_cost
                    entry[1] += 1
                    writer.add(
                        (
                            cost_import.pk,
                            source_name,
                            line.line_number,
                            line.billing_period,
                            line.month,
                            line.charge_start,
                            line.charge_end,
                            line.charge_category,
                            line.service_name,
                            line.resource_id,
                            line.region,
                            line.account,
                            line.billed_cost,
                            line.effective_cost,
                            line.currency,
                            json.dumps(line.tags) if writer.copy else line.tags,
                            attribution.product_ids[0] if len(attribution.product_ids) == 1 else None,
                            attribution.domain_id,
                            attribution.basis,
                        )
                    )
            if count == 0:
                raise BillingFileError("The file has a header but no billing lines.", line=2)
            attributed = _allocations(cost_import, source_name, rollup)
            _replace_earlier(cost_import, source_name, periods)
            cost_import.periods = sorted(p.isoformat() for p in periods)
            cost_import.line_count = count
            cost_import.totals = {c: str(v) for c, v in sorted(totals.items())}
            cost_import.attributed = attributed
            cost_import.warnings = [
                {
                    "code": "unknown_product_tag",
                    "message": f"The tag value {tag!r} names no product; {n} line(s) left unattributed.",
                }
                for tag, n in sorted(unknown_tags.items())
            ]
            cost_import.duration_ms = int((time.perf_counter() - started) * 1000)
            cost_import.save()
            check_budgets(cost_import.pk)  # in the import's transaction: a rolled-back import alerts nobody
            return cost_import
    except (BillingFileError, UnicodeDecodeError) as exc:
        if isinstance(exc, UnicodeDecodeError):
            exc = BillingFileError("The file is not UTF-8 text.")
        return CostImport.objects.create(
            source_name=source_name,
            format=fmt,
            file_name=file_name[:300],
            sha256=sha256,
            status=ImportStatus.FAILED,
            errors=[exc.as_dict()],
            duration_ms=int((time.perf_counter() - started) * 1000),
            created_by=actor_label,
        )


def _allocations(cost_import, source_name, rollup) -> dict:
    """Roll-up rows, with shared domain costs and multi-product resources split into products."""
    rule = getattr(settings, "MESH_COST_SHARED_SPLIT", "equal")
    weights = ShareWeights(rule)
    attributed = defaultdict(lambda: defaultdict(Decimal))
    rows: list[tuple] = []  # bounded by months × products × services; weights query before the COPY opens
    _allocate(rollup, rows, weights, attributed, (cost_import.pk, source_name), rule)
    with _RowWriter(CostAllocation, ALLOCATION_COLUMNS) as writer:
        for row in rows:
            writer.add(row)
    return {b: {c: str(v) for c, v in sorted(cur.items())} for b, cur in sorted(attributed.items())}


def _allocate(rollup, rows: list, weights, attributed, head: tuple, rule: str) -> None:
    for (period, month, service, currency, attribution), (amount, lines) in rollup.items():
        common = (*head, period, month, service, currency, lines)
        attributed[attribution.basis][currency] += amount
        if attribution.basis == Basis.SHARED:
            shares = weights.weights(attribution.domain_id, month)
            if not shares:
                rows.append((*common, None, attribution.domain_id, Basis.DOMAIN, "", amount))
                continue
            for product_id, part in split(amount, shares).items():
                if not part and not shares[product_id]:
                    continue  # a product with no weight gets no row, not a row of zero
                rows.append((*common, product_id, attribution.domain_id, Basis.SHARED, rule, part))
        elif attribution.product_ids:
            parts = split(amount, dict.fromkeys(attribution.product_ids, 1))
            for product_id, part in parts.items():
                rule_used = "equal" if len(parts) > 1 else ""
                rows.append(
                    (*common, product_id, weights.domain_of.get(product_id), attribution.basis, rule_used, part)
                )
        else:
            rows.append((*common, None, None, Basis.UNATTRIBUTED, "", amount))


def _replace_earlier(cost_import, source_name: str, periods: set) -> None:
    """Earlier lines and allocations of this source for the periods this file covers go."""
    CostLine.objects.filter(source_name=source_name, billing_period__in=periods).exclude(
        cost_import=cost_import
    ).delete()
    CostAllocation.objects.filter(source_name=source_name, billing_period__in=periods).exclude(
        cost_import=cost_import
    ).delete()


def import_text(text: str, **kwargs):
    """For tests and the demo: import a whole CSV held in memory."""
    return import_billing_file(io.StringIO(text), **kwargs)
