"""Realistic billing exports, generated: for the demo, the tests and the benchmark.

The files follow the published column lists of FOCUS 1.x and AWS CUR 2.0 and mix what real
exports hold — usage tagged with a product, usage tagged only with a domain (shared),
untagged usage of a resource the catalog knows (a Glue table ARN, an S3 bucket), untagged
usage nobody claims, refunds and credits (negative), tax, and several currencies.
"""

import csv
import io
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

FOCUS_COLUMNS = [
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "BillingCurrency",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ChargeCategory",
    "ServiceName",
    "ServiceCategory",
    "ResourceId",
    "ResourceName",
    "RegionId",
    "SubAccountId",
    "Tags",
    "x_Note",
]
CUR_COLUMNS = [
    "identity_line_item_id",
    "bill_billing_period_start_date",
    "bill_billing_period_end_date",
    "line_item_usage_account_id",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_product_code",
    "line_item_resource_id",
    "line_item_unblended_cost",
    "line_item_net_unblended_cost",
    "line_item_currency_code",
    "product_servicecode",
    "product_region_code",
    "resource_tags",
]
SERVICES = ["Amazon S3", "AWS Glue", "Amazon Athena", "Amazon Redshift", "AWS Lambda", "Amazon RDS"]


@dataclass(frozen=True)
class SampleLine:
    """What a generated line means, so tests can compute expected totals independently."""

    kind: str  # product, shared, resource, unattributed, unknown_tag
    target: str  # product slug, domain slug, resource id or ""
    month: date
    service: str
    cost: Decimal
    currency: str
    category: str = "Usage"


def _month_add(month: date, n: int) -> date:
    y, m = divmod(month.month - 1 + n, 12)
    return date(month.year + y, m + 1, 1)


def sample_lines(
    *,
    products: list[str],
    domains: list[str],
    resources: list[str],
    months: list[date],
    count: int,
    currencies: tuple[str, ...] = ("EUR",),
    seed: int = 7,
) -> Iterator[SampleLine]:
    rng = random.Random(seed)
    kinds = ["product"] * 6 + ["shared"] * 2 + ["resource"] * 1 + ["unattributed"] * 1
    for i in range(count):
        kind = rng.choice(kinds) if i > 4 else ["product", "shared", "resource", "unattributed", "unknown_tag"][i]
        if kind == "resource" and not resources:
            kind = "unattributed"
        if kind == "shared" and not domains:
            kind = "product"
        target = {
            "product": lambda: rng.choice(products),
            "shared": lambda: rng.choice(domains),
            "resource": lambda: rng.choice(resources),
            "unattributed": lambda: f"arn:aws:ec2:eu-west-1:123456789012:instance/i-{rng.getrandbits(40):010x}",
            "unknown_tag": lambda: "no-such-product",
        }[kind]()
        cost = Decimal(rng.randint(1, 2_000_000)) / Decimal(10_000)
        category = "Usage"
        roll = rng.random()
        if roll < 0.04:
            cost, category = -cost / 4, "Credit"
        elif roll < 0.06:
            cost, category = -cost / 10, "Adjustment"  # a refund
        elif roll < 0.1:
            category = "Tax"
        yield SampleLine(
            kind=kind,
            target=target,
            month=rng.choice(months),
            service=rng.choice(SERVICES),
            cost=cost.quantize(Decimal("0.000001")),
            currency=rng.choice(currencies),
            category=category,
        )


def _iso(d: datetime) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def _focus_row(line: SampleLine, i: int) -> list:
    start = datetime(line.month.year, line.month.month, 1 + i % 27, tzinfo=UTC)
    tags = {"env": "prod"}
    resource = ""
    if line.kind in ("product", "unknown_tag"):
        tags["data-product"] = line.target
    elif line.kind == "shared":
        tags["domain"] = line.target
    else:
        resource = line.target
    return [
        str(line.cost if line.category != "Credit" else Decimal(0)),
        str(line.cost),
        str(abs(line.cost)),
        str(abs(line.cost)),
        line.currency,
        _iso(datetime(line.month.year, line.month.month, 1, tzinfo=UTC)),
        _iso(datetime.combine(_month_add(line.month, 1), datetime.min.time(), tzinfo=UTC)),
        _iso(start),
        _iso(start + timedelta(hours=1)),
        line.category,
        line.service,
        "Storage" if "S3" in line.service else "Analytics",
        resource,
        resource.rsplit("/", 1)[-1],
        "eu-west-1",
        "123456789012",
        json.dumps(tags),
        "",
    ]


def _cur_row(line: SampleLine, i: int) -> list:
    start = datetime(line.month.year, line.month.month, 1 + i % 27, tzinfo=UTC)
    tags = {"user_env": "prod"}
    resource = ""
    if line.kind in ("product", "unknown_tag"):
        tags["user_data-product"] = line.target
    elif line.kind == "shared":
        tags["user_domain"] = line.target
    else:
        resource = line.target
    item_type = {"Usage": "Usage", "Credit": "Credit", "Adjustment": "Refund", "Tax": "Tax"}[line.category]
    return [
        f"li-{i}",
        _iso(datetime(line.month.year, line.month.month, 1, tzinfo=UTC)),
        _iso(datetime.combine(_month_add(line.month, 1), datetime.min.time(), tzinfo=UTC)),
        "123456789012",
        item_type,
        _iso(start),
        _iso(start + timedelta(hours=1)),
        line.service.replace("Amazon ", "Amazon").replace("AWS ", "AWS").replace(" ", ""),
        resource,
        str(line.cost),
        str(line.cost),
        line.currency,
        line.service,
        "eu-west-1",
        json.dumps(tags),
    ]


def write_csv(lines, fmt: str, out) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FOCUS_COLUMNS if fmt == "focus" else CUR_COLUMNS)
    row = _focus_row if fmt == "focus" else _cur_row
    for i, line in enumerate(lines):
        writer.writerow(row(line, i))


def csv_text(lines, fmt: str) -> str:
    out = io.StringIO()
    write_csv(lines, fmt, out)
    return out.getvalue()
