"""FinOps FOCUS 1.x CSV: ``BilledCost``, ``EffectiveCost``, ``BillingCurrency``, periods, tags."""

from apps.costs.formats.common import BillingLine, currency, dict_rows, money, tag_map, timestamp

REQUIRED = {"BilledCost", "EffectiveCost", "BillingCurrency", "ChargePeriodStart", "ServiceName"}


def read_focus(stream):
    for line, row in dict_rows(stream, REQUIRED, "FOCUS"):
        start = timestamp(row["ChargePeriodStart"], line=line, column="ChargePeriodStart")
        period = timestamp(row.get("BillingPeriodStart", ""), line=line, column="BillingPeriodStart", required=False)
        yield BillingLine(
            line_number=line,
            billing_period=(period or start).date().replace(day=1),
            charge_start=start,
            charge_end=timestamp(row.get("ChargePeriodEnd", ""), line=line, column="ChargePeriodEnd", required=False),
            charge_category=(row.get("ChargeCategory") or "")[:30],
            service_name=(row.get("ServiceName") or "")[:200],
            resource_id=(row.get("ResourceId") or "")[:1000],
            region=(row.get("RegionId") or row.get("Region") or "")[:50],
            account=(row.get("SubAccountId") or "")[:100],
            billed_cost=money(row["BilledCost"], line=line, column="BilledCost"),
            effective_cost=money(row["EffectiveCost"], line=line, column="EffectiveCost"),
            currency=currency(row["BillingCurrency"], line=line, column="BillingCurrency"),
            tags=tag_map(row.get("Tags", ""), line=line, column="Tags"),
        )
