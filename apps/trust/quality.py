"""Quality by dimension: every check result mapped to an ODCS dimension, with pass rates and flakiness.

ODCS names seven dimensions (accuracy, completeness, conformity, consistency, coverage,
timeliness, uniqueness). A check's dimension comes from its type when we know the test
(dbt's generic tests, source freshness, unit tests, OpenLineage assertion names, the SQL
rules contracts run with their own ``dimension``), else from the category the harvester
gave it. The mapping is a SQL ``CASE``, so pass rates per dimension are one aggregate.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Case, CharField, Count, Q, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.catalog.models import PortDirection, QualityCheck, QualityResult

DIMENSIONS = ("accuracy", "completeness", "conformity", "consistency", "coverage", "timeliness", "uniqueness")
DIMENSION_BY_TYPE = {
    "not_null": "completeness",
    "not_null_proportion": "completeness",
    "not_empty_string": "completeness",
    "nullValues": "completeness",
    "missingValues": "completeness",
    "unique": "uniqueness",
    "unique_combination_of_columns": "uniqueness",
    "duplicateValues": "uniqueness",
    "is_unique": "uniqueness",
    "accepted_values": "conformity",
    "not_accepted_values": "conformity",
    "accepted_range": "conformity",
    "expression_is_true": "conformity",
    "invalidValues": "conformity",
    "relationships": "consistency",
    "relationships_where": "consistency",
    "equal_rowcount": "consistency",
    "equality": "consistency",
    "freshness": "timeliness",
    "recency": "timeliness",
    "rowCount": "coverage",
    "row_count": "coverage",
    "at_least_one": "coverage",
    "expect_table_row_count_to_be_between": "coverage",
    "unit_test": "accuracy",
}
DIMENSION_BY_CATEGORY = {
    "completeness": "completeness",
    "uniqueness": "uniqueness",
    "validity": "conformity",
    "accuracy": "accuracy",
    "timeliness": "timeliness",
    "consistency": "consistency",
    "other": "accuracy",
}
PASSING = ("pass", "warn")
COUNTED = ("pass", "warn", "fail", "error")
FLAKY_WINDOW = 10  # latest results looked at per check
FLAKY_FLIPS = 3  # status changes within them that make a check flaky
CHART_DAYS = 30


def dimension_of(check_type: str, category: str = "other") -> str:
    return DIMENSION_BY_TYPE.get(check_type) or DIMENSION_BY_CATEGORY.get(category, "accuracy")


def dimension_expression(prefix: str = ""):
    """A SQL CASE giving a row's ODCS dimension from ``<prefix>check_type`` / ``<prefix>category``."""
    whens = [When(**{f"{prefix}check_type": t}, then=Value(d)) for t, d in DIMENSION_BY_TYPE.items()]
    whens += [When(**{f"{prefix}category": c}, then=Value(d)) for c, d in DIMENSION_BY_CATEGORY.items()]
    return Case(*whens, default=Value("accuracy"), output_field=CharField())


def output_checks(product, dataset_id: int | None = None):
    """Live checks on the product's live output datasets (or on one dataset when ``product`` is None)."""
    checks = QualityCheck.objects.filter(removed_at__isnull=True, dataset__removed_at__isnull=True)
    if product is not None:
        checks = checks.filter(
            dataset__port_links__port__product=product, dataset__port_links__port__direction=PortDirection.OUTPUT
        )
    if dataset_id is not None:
        checks = checks.filter(dataset_id=dataset_id)
    return checks.distinct()


@dataclass
class DimensionRate:
    """Pass rates of one dimension over 7 and 30 days (None: no results)."""

    dimension: str
    rate_7d: float | None
    total_7d: int
    rate_30d: float | None
    total_30d: int
    checks: int


def pass_rates(product, dataset_id: int | None = None) -> list[DimensionRate]:
    """Every dimension with its 7- and 30-day pass rates, in two queries."""
    now = timezone.now()
    checks = output_checks(product, dataset_id)
    per_check = dict(
        checks.annotate(dim=dimension_expression())
        .values("dim")
        .annotate(n=Count("id", distinct=True))
        .values_list("dim", "n")
    )
    results = (
        QualityResult.objects.filter(
            quality_check__in=checks.values("id"), observed_at__gte=now - timedelta(days=30), status__in=COUNTED
        )
        .annotate(dim=dimension_expression("quality_check__"))
        .values("dim")
        .annotate(
            t30=Count("id"),
            p30=Count("id", filter=Q(status__in=PASSING)),
            t7=Count("id", filter=Q(observed_at__gte=now - timedelta(days=7))),
            p7=Count("id", filter=Q(observed_at__gte=now - timedelta(days=7), status__in=PASSING)),
        )
    )
    by_dim = {r["dim"]: r for r in results}
    out = []
    for dim in DIMENSIONS:
        r = by_dim.get(dim, {"t30": 0, "p30": 0, "t7": 0, "p7": 0})
        out.append(
            DimensionRate(
                dim,
                r["p7"] / r["t7"] if r["t7"] else None,
                r["t7"],
                r["p30"] / r["t30"] if r["t30"] else None,
                r["t30"],
                per_check.get(dim, 0),
            )
        )
    return out


def daily_rates(product, days: int = CHART_DAYS, dataset_id: int | None = None) -> dict[str, list]:
    """``{dimension: [(date, pass rate, results), ...]}`` per day with results, one query."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        QualityResult.objects.filter(
            quality_check__in=output_checks(product, dataset_id).values("id"),
            observed_at__gte=since,
            status__in=COUNTED,
        )
        .annotate(dim=dimension_expression("quality_check__"), day=TruncDate("observed_at"))
        .values("dim", "day")
        .annotate(total=Count("id"), passed=Count("id", filter=Q(status__in=PASSING)))
        .order_by("day")
    )
    out: dict[str, list] = defaultdict(list)
    for r in rows:
        out[r["dim"]].append((r["day"], r["passed"] / r["total"], r["total"]))
    return dict(out)


@dataclass
class CheckHistory:
    """A check's latest results, oldest first, and whether they alternate (flaky)."""

    check_id: int
    name: str
    dataset_id: int
    dataset_name: str
    dimension: str
    statuses: list[str]
    flips: int

    @property
    def flaky(self) -> bool:
        return self.flips >= FLAKY_FLIPS

    @property
    def last(self) -> str:
        return self.statuses[-1] if self.statuses else "not_run"


def check_histories(product, limit_checks: int = 200, dataset_id: int | None = None) -> list[CheckHistory]:
    """Per-check history over the last ``FLAKY_WINDOW`` results, flaky checks first. Two queries."""
    checks = list(
        output_checks(product, dataset_id)
        .select_related("dataset")
        .only("id", "name", "check_type", "category", "dataset__id", "dataset__name")
        .order_by("dataset__name", "name")[:limit_checks]
    )
    if not checks:
        return []
    since = timezone.now() - timedelta(days=CHART_DAYS)
    statuses: dict[int, list[str]] = defaultdict(list)
    for check_id, status in (
        QualityResult.objects.filter(
            quality_check__in=[c.pk for c in checks], observed_at__gte=since, status__in=COUNTED
        )
        .order_by("quality_check_id", "observed_at")
        .values_list("quality_check_id", "status")[: limit_checks * 60]
    ):
        statuses[check_id].append(status)
    out = []
    for c in checks:
        window = [("pass" if s in PASSING else "fail") for s in statuses.get(c.pk, [])][-FLAKY_WINDOW:]
        flips = sum(1 for a, b in zip(window, window[1:], strict=False) if a != b)
        out.append(
            CheckHistory(
                c.pk, c.name, c.dataset.pk, c.dataset.name, dimension_of(c.check_type, c.category), window, flips
            )
        )
    return sorted(out, key=lambda h: (not h.flaky, h.last == "pass", h.dataset_name, h.name))


# --- The chart (server-rendered SVG, like the lineage graph) ---------------------------

CHART_W, CHART_H, PAD_L, PAD_B, PAD_T = 640, 220, 44, 26, 12
COLORS = {
    "accuracy": "#0b5cad",
    "completeness": "#1a7f37",
    "conformity": "#6f42c1",
    "consistency": "#9a3412",
    "coverage": "#57606a",
    "timeliness": "#c21f2b",
    "uniqueness": "#8a5a00",
}


def chart(product, days: int = CHART_DAYS, dataset_id: int | None = None) -> dict:
    """Coordinates of a pass-rate-per-day line for each dimension with results (template data)."""
    series = daily_rates(product, days, dataset_id)
    today = timezone.now().date()
    start = today - timedelta(days=days - 1)
    width, height = CHART_W - PAD_L - 8, CHART_H - PAD_B - PAD_T

    def x(day):
        return round(PAD_L + (day - start).days / max(days - 1, 1) * width, 1)

    def y(rate):
        return round(PAD_T + (1 - rate) * height, 1)

    lines = []
    for dim in DIMENSIONS:
        points = [(x(d), y(r), d, r, n) for d, r, n in series.get(dim, []) if d >= start]
        if points:
            lines.append(
                {
                    "dimension": dim,
                    "color": COLORS[dim],
                    "path": " ".join(f"{px},{py}" for px, py, *_ in points),
                    "points": [{"x": px, "y": py, "title": f"{dim} {d}: {r:.0%} of {n}"} for px, py, d, r, n in points],
                }
            )
    grid = [{"y": y(v), "label": f"{int(v * 100)}%"} for v in (0, 0.5, 1)]
    ticks = [
        {"x": x(start + timedelta(days=i)), "label": (start + timedelta(days=i)).strftime("%d %b")}
        for i in range(0, days, 7)
    ]
    return {
        "width": CHART_W,
        "height": CHART_H,
        "lines": lines,
        "grid": grid,
        "ticks": ticks,
        "x0": PAD_L,
        "x1": CHART_W - 8,
        "y_base": CHART_H - PAD_B,
        "days": days,
    }
