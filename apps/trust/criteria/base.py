"""What a criterion is: a set-based evaluation over a scope of products.

A criterion function receives the ``Scope`` (the product ids to score; all of them for a
full recompute) and its rubric line, runs a few aggregate queries over the whole scope —
never a query per product, never a Python loop over columns — and returns an
``Outcome`` per product: passed, failed, or not applicable (``passed=None``), with the
evidence a person needs to fix it (a capped list of links and a count).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from django.db.models import Count, Exists, F, OuterRef, Subquery, Window
from django.db.models.functions import Coalesce, Length, RowNumber
from django.urls import reverse

from apps.catalog.models import Column, DataProduct, PortDataset, PortDirection
from apps.core.registry import Registry

EVIDENCE_SHOWN = 5  # links kept per criterion and product; the count says how many there are

CRITERIA: Registry = Registry("maturity criteria")


def criterion(criterion_id: str):
    """Register ``fn(scope, line) -> {product id: Outcome}`` as the evaluator of ``criterion_id``."""

    def wrap(fn):
        CRITERIA.register(criterion_id, fn)
        return fn

    return wrap


@dataclass
class Outcome:
    """The result of one criterion for one product."""

    passed: bool | None
    evidence: list[dict] = field(default_factory=list)
    count: int = 0  # how many things are at fault (evidence shows the first few)
    value: float | None = None  # what was measured (a share, a length, a rate)
    note: str = ""

    def as_dict(self) -> dict:
        """Compact: empty parts are left out (5,000 products × 22 criteria are stored)."""
        data = {"passed": self.passed}
        if self.evidence:
            data["evidence"] = self.evidence
        if self.count:
            data["count"] = self.count
        if self.note:
            data["note"] = self.note
        if self.value is not None:
            data["value"] = round(self.value, 4)
        return data


NOT_APPLICABLE = None


def _count(model, product_field: str = "product", **filters):
    """A correlated ``count(*)`` of ``model`` rows of the outer product (0 when none)."""
    rows = model.objects.filter(**{product_field: OuterRef("pk")}, **filters).order_by()
    return Coalesce(Subquery(rows.values(product_field).annotate(n=Count("*")).values("n")[:1]), 0)


@dataclass
class Scope:
    """The products being scored. ``ids`` is None for the whole mesh (no IN list then)."""

    ids: list[int] | None

    def products(self):
        qs = DataProduct.objects.all()
        return qs if self.ids is None else qs.filter(pk__in=self.ids)

    def facts(self) -> dict[int, dict]:
        """The product-level facts several criteria read, in one query for the whole scope."""
        if not hasattr(self, "_facts"):
            from datetime import timedelta

            from django.utils import timezone

            from apps.catalog.models import Ownership, Port
            from apps.lab.models import QueryRun

            since = timezone.now() - timedelta(days=30)
            rows = (
                self.products()
                .order_by()
                .annotate(
                    summary_len=Length("summary"),
                    description_len=Length("description"),
                    n_tags=_count(DataProduct.tags.through, "dataproduct"),
                    n_owners=_count(Ownership),
                    n_runs=_count(QueryRun, created_at__gte=since),
                    n_outputs=_count(Port, direction=PortDirection.OUTPUT),
                    n_untyped=_count(Port, direction=PortDirection.OUTPUT, protocol="other"),
                )
                .values(
                    "pk",
                    "slug",
                    "name",
                    "lifecycle",
                    "classification",
                    "description",
                    "domain__slug",
                    "domain__path",
                    "domain__name",
                    "summary_len",
                    "description_len",
                    "n_tags",
                    "n_owners",
                    "n_runs",
                    "n_outputs",
                    "n_untyped",
                )
            )
            self._facts = {row["pk"]: row for row in rows}
        return self._facts

    def filter(self, qs, product_field: str = "product_id"):
        """Restrict ``qs`` to the scope through ``product_field`` (a lookup to the product id)."""
        return qs if self.ids is None else qs.filter(**{f"{product_field}__in": self.ids})

    @property
    def product_ids(self) -> list[int]:
        return sorted(self.facts())

    def links(self) -> list[dict]:
        """Every (product, live output dataset) pair with the per-dataset facts criteria read,
        in one query: whether it has a live check, a known upstream, a declared key; whether
        its product has an input port. Rows are per dataset, never per column."""
        if not hasattr(self, "_links"):
            from apps.catalog.models import DatasetConstraint, LineageEdge, Port, QualityCheck

            dataset = OuterRef("dataset_id")
            rows = (
                self.output_links()
                .order_by()
                .annotate(
                    checked=Exists(QualityCheck.objects.filter(dataset=dataset, removed_at__isnull=True)),
                    fed=Exists(LineageEdge.objects.filter(downstream=dataset)),
                    pk_column=Exists(Column.objects.filter(dataset=dataset, is_primary_key=True)),
                    key_constraint=Exists(
                        DatasetConstraint.objects.filter(dataset=dataset, kind__in=["primary_key", "unique"])
                    ),
                    unique_test=Exists(
                        QualityCheck.objects.filter(dataset=dataset, check_type="unique", removed_at__isnull=True)
                    ),
                    has_input=Exists(
                        Port.objects.filter(product=OuterRef("port__product_id"), direction=PortDirection.INPUT)
                    ),
                )
                .values(
                    "port__product_id",
                    "dataset_id",
                    "dataset__name",
                    "dataset__short_name",
                    "dataset__namespace",
                    "dataset__platform",
                    "dataset__kind",
                    "checked",
                    "fed",
                    "pk_column",
                    "key_constraint",
                    "unique_test",
                    "has_input",
                )
            )
            seen, links = set(), []
            for row in rows:  # a dataset behind two ports of one product counts once
                key = (row["port__product_id"], row["dataset_id"])
                if key not in seen:
                    seen.add(key)
                    links.append(row)
            links.sort(key=lambda r: (r["port__product_id"], r["dataset__name"]))
            self._links = links
        return self._links

    def output_links(self):
        """(product, dataset) pairs of live output datasets, as a PortDataset queryset."""
        qs = PortDataset.objects.filter(port__direction=PortDirection.OUTPUT, dataset__removed_at__isnull=True)
        return self.filter(qs, "port__product_id")


def capped(
    rows_qs, *, partition: str, order_by, limit: int = EVIDENCE_SHOWN, when: bool = True
) -> dict[int, list[dict]]:
    """The first ``limit`` rows of ``rows_qs`` (a ``.values()`` queryset) per ``partition``, in SQL.

    A window function numbers the rows of each product so the database returns at most
    ``limit`` per product, however many columns are undescribed. ``when=False`` (nothing
    is at fault, as a count said) skips the query.
    """
    if not when:
        return {}
    numbered = rows_qs.annotate(_rn=Window(RowNumber(), partition_by=[F(partition)], order_by=order_by)).filter(
        _rn__lte=limit
    )
    numbered = numbered.order_by(partition, "_rn")
    out: dict[int, list[dict]] = defaultdict(list)
    for row in numbered:
        row.pop("_rn", None)
        out[row[partition]].append(row)
    return out


@cache
def url_pattern(name: str) -> str:
    """``reverse(name)`` with ``{}`` for its single argument: cheap to format thousands of times."""
    marker = 987654321
    return reverse(name, args=[marker]).replace(str(marker), "{}")


def dataset_url(pk) -> str:
    return url_pattern("catalog:dataset_detail").format(pk)


def product_url(slug) -> str:
    return url_pattern_slug().format(slug)


@cache
def url_pattern_slug() -> str:
    return reverse("catalog:product_detail", args=["zzzslugzzz"]).replace("zzzslugzzz", "{}")


def all_pass(ids, failing: dict[int, list[dict]], counts: dict[int, int] | None = None, applicable=None) -> dict:
    """Outcomes for ``ids``: failed where ``failing`` has evidence, passed elsewhere.

    ``applicable`` (a set) marks which products the criterion applies to; the others are
    not applicable.
    """
    out = {}
    for pid in ids:
        if applicable is not None and pid not in applicable:
            out[pid] = Outcome(NOT_APPLICABLE)
        elif failing.get(pid):
            out[pid] = Outcome(False, failing[pid], (counts or {}).get(pid, len(failing[pid])))
        else:
            out[pid] = Outcome(True)
    return out


def from_links(scope, *, applies, fails, label) -> dict:
    """Outcomes from ``scope.links()``: ``applies(row)`` selects the datasets the criterion
    is about, ``fails(row)`` the ones at fault, ``label(row)`` says why."""
    applicable, failing, counts = set(), {}, {}
    for row in scope.links():
        if not applies(row):
            continue
        pid = row["port__product_id"]
        applicable.add(pid)
        if fails(row):
            counts[pid] = counts.get(pid, 0) + 1
            if counts[pid] <= EVIDENCE_SHOWN:
                failing.setdefault(pid, []).append({"label": label(row), "url": dataset_url(row["dataset_id"])})
    return all_pass(scope.product_ids, failing, counts, applicable)
