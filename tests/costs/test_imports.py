"""Billing imports: totals equal the file's, line for line and per attribution rule; bad files change nothing."""

import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db.models import Sum

from apps.core.actors import SystemActor
from apps.core.errors import PermissionDeniedError
from apps.costs.actions import import_costs
from apps.costs.models import Basis, CostAllocation, CostImport, CostLine
from apps.costs.samples import csv_text
from apps.costs.sharing import split

ADMIN = SystemActor("tests")


def _import(text: str, fmt: str = "focus", source: str = "aws-main"):
    return import_costs(ADMIN, io.BytesIO(text.encode()), fmt=fmt, source_name=source, file_name=f"bill.{fmt}.csv")


def _expected(lines):
    """What each product, domain and basis should get, computed from what the generator meant."""
    per_basis = defaultdict(lambda: defaultdict(Decimal))
    for line in lines:
        basis = {
            "product": Basis.PRODUCT_TAG,
            "shared": Basis.SHARED,
            "resource": Basis.RESOURCE,
            "unattributed": Basis.UNATTRIBUTED,
            "unknown_tag": Basis.UNATTRIBUTED,
        }[line.kind]
        per_basis[basis][line.currency] += line.cost
    return per_basis


def _allocated(**filters):
    return {
        r["currency"]: r["total"]
        for r in CostAllocation.objects.filter(**filters).values("currency").annotate(total=Sum("amount"))
    }


@pytest.mark.parametrize("fmt", ["focus", "cur"])
def test_totals_equal_the_file_per_currency_and_per_rule(mesh, lines, fmt):
    result = _import(csv_text(lines, fmt), fmt)
    assert result.status == "succeeded", result.errors
    assert result.line_count == len(lines) == CostLine.objects.count()
    file_totals = defaultdict(Decimal)
    for line in lines:
        file_totals[line.currency] += line.cost
    assert {c: Decimal(v) for c, v in result.totals.items()} == file_totals
    assert _allocated() == file_totals  # nothing dropped, nothing invented
    for basis, by_currency in _expected(lines).items():
        assert _allocated(basis=basis) == by_currency, basis
    # Product-tagged lines land on their product, exactly.
    for slug in ("orders", "leads", "billing"):
        want = defaultdict(Decimal)
        for line in lines:
            if line.kind == "product" and line.target == slug:
                want[line.currency] += line.cost
        assert _allocated(product__slug=slug, basis=Basis.PRODUCT_TAG) == want
    # Resource lines: the Glue ARN belongs to orders, the S3 bucket to leads.
    glue = defaultdict(Decimal)
    for line in lines:
        if line.kind == "resource" and "glue" in line.target:
            glue[line.currency] += line.cost
    assert _allocated(product__slug="orders", basis=Basis.RESOURCE) == glue
    # The unknown product tag is reported.
    assert any("no-such-product" in w["message"] for w in result.warnings)


def test_shared_domain_costs_split_equally_across_its_products_exactly(mesh, lines):
    _import(csv_text(lines, "focus"))
    emea_shared = defaultdict(Decimal)
    for line in lines:
        if line.kind == "shared" and line.target == "emea":
            emea_shared[line.currency] += line.cost
    assert _allocated(domain=mesh.emea, basis=Basis.SHARED) == emea_shared
    orders, billing = (
        _allocated(product=mesh.orders, basis=Basis.SHARED),
        _allocated(product=mesh.billing, basis=Basis.SHARED),
    )
    for currency, total in emea_shared.items():
        assert orders[currency] + billing[currency] == total
        assert abs(orders[currency] - billing[currency]) <= Decimal("0.01")  # equal up to rounding per roll-up row


def test_split_by_storage_weights_products_by_the_bytes_they_publish(mesh, lines, settings):
    settings.MESH_COST_SHARED_SPLIT = "storage"
    # orders publishes 3,000 bytes in emea, billing nothing: all of emea's shared cost goes to orders.
    _import(csv_text(lines, "focus"))
    assert not _allocated(product=mesh.billing, basis=Basis.SHARED)
    assert _allocated(product=mesh.orders, basis=Basis.SHARED) == _allocated(domain=mesh.emea, basis=Basis.SHARED)


def test_split_is_exact_to_the_last_unit():
    parts = split(Decimal("100.000001"), {1: 1, 2: 1, 3: 1})
    assert sum(parts.values()) == Decimal("100.000001")
    assert split(Decimal("10"), {1: 0, 2: 0}) == {1: Decimal("5.000000"), 2: Decimal("5.000000")}  # no weight: equal


def test_reimporting_a_period_replaces_that_period_from_that_source_only(mesh, lines):
    first = _import(csv_text(lines, "focus"))
    other = _import(csv_text(lines[:50], "focus"), source="gcp-main")
    before_other = CostLine.objects.filter(source_name="gcp-main").count()
    again = _import(csv_text(lines, "focus"))
    assert again.status == "succeeded"
    assert CostLine.objects.filter(source_name="aws-main").count() == len(lines)
    assert not CostLine.objects.filter(cost_import=first).exists()
    assert CostLine.objects.filter(source_name="gcp-main").count() == before_other == 50
    assert CostAllocation.objects.filter(cost_import=other).exists()
    # Re-importing only November keeps September and October from the first file.
    november = [line for line in lines if line.month.month == 11]
    _import(csv_text(november, "focus"))
    assert CostLine.objects.filter(source_name="aws-main").count() == len(lines)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda t: t.replace("BilledCost,", "Billed,", 1), "lacks BilledCost"),
        (lambda t: t.replace(",EUR,", ",EURO,", 1), "not an ISO 4217 currency"),
        (lambda t: _break_number(t), "is not a number"),
        (lambda t: t.splitlines()[0] + "\n", "no billing lines"),
        (lambda t: "\x00\x01garbage", "lacks"),
    ],
)
def test_a_bad_file_is_refused_with_its_line_and_changes_nothing(mesh, focus_text, lines, mutate, message):
    good = _import(focus_text)
    count = CostLine.objects.count()
    allocated = _allocated()
    bad = _import(mutate(focus_text))
    assert bad.status == "failed"
    assert message in bad.errors[0]["message"]
    assert "line" in bad.errors[0]
    assert CostLine.objects.count() == count and _allocated() == allocated
    assert CostLine.objects.filter(cost_import=good).count() == count


def _break_number(text: str) -> str:
    head, first, rest = text.split("\n", 2)
    return "\n".join([head, "12.3abc" + first[first.index(",") :], rest])


def test_non_utf8_and_oversized_files_are_refused(mesh, focus_text, settings):
    bad = import_costs(ADMIN, io.BytesIO(b"BilledCost\n\xff\xfe"), fmt="focus", source_name="x", file_name="x.csv")
    assert bad.status == "failed" and "UTF-8" in bad.errors[0]["message"]
    settings.MESH_COST_MAX_UPLOAD_BYTES = 1000
    big = import_costs(ADMIN, io.BytesIO(focus_text.encode()), fmt="focus", source_name="x", file_name="x.csv")
    assert big.status == "failed" and "larger than 1000 bytes" in big.errors[0]["message"]
    assert not CostLine.objects.exists()


def test_only_admins_import(mesh, focus_text):
    with pytest.raises(PermissionDeniedError):
        import_costs(mesh.owner, io.BytesIO(focus_text.encode()), fmt="focus", source_name="x", file_name="x.csv")
    assert not CostImport.objects.exists()


def test_import_writes_a_bounded_number_of_queries(mesh, lines, django_assert_max_num_queries):
    text = csv_text(lines * 5, "focus")  # 2,000 lines
    with django_assert_max_num_queries(40):
        result = _import(text)
    assert result.line_count == 2000


def test_text_with_tabs_backslashes_and_quotes_survives_the_copy(mesh):
    import csv as csv_module

    out = io.StringIO()
    writer = csv_module.writer(out)
    writer.writerow(
        ["BilledCost", "EffectiveCost", "BillingCurrency", "ChargePeriodStart", "ServiceName", "ResourceId", "Tags"]
    )
    tags = '{"team": "a\\\\b \\"q\\"", "note": "tab\\there"}'
    writer.writerow(["1", "1", "EUR", "2026-11-02T00:00:00Z", "S3\tweird\\name", "res\nline", tags])
    result = _import(out.getvalue())
    assert result.status == "succeeded", result.errors
    line = CostLine.objects.get()
    assert line.service_name == "S3\tweird\\name" and line.resource_id == "res\nline"
    assert line.tags == {"team": 'a\\b "q"', "note": "tab\there"}
