"""AWS CUR 2.0 CSV (Data Exports): ``line_item_*`` columns and the ``resource_tags`` map.

The effective cost is ``line_item_net_unblended_cost`` when the export has it (after
discounts), else ``line_item_unblended_cost``. User tag keys arrive as ``user_<key>``; the
prefix is dropped so tag rules read the same for FOCUS and CUR.
"""

from apps.costs.formats.common import BillingLine, currency, dict_rows, money, tag_map, timestamp

REQUIRED = {"line_item_usage_start_date", "line_item_unblended_cost", "line_item_currency_code"}
CATEGORY = {"Usage": "Usage", "Tax": "Tax", "Credit": "Credit", "Refund": "Adjustment", "Fee": "Purchase"}


def _tags(raw: dict) -> dict:
    tags = {}
    for key, value in raw.items():
        for prefix in ("user_", "user:"):
            if key.startswith(prefix):
                key = key[len(prefix) :]
                break
        tags[key] = value
    return tags


def read_cur(stream):
    for line, row in dict_rows(stream, REQUIRED, "CUR 2.0"):
        start = timestamp(row["line_item_usage_start_date"], line=line, column="line_item_usage_start_date")
        period = timestamp(
            row.get("bill_billing_period_start_date", ""),
            line=line,
            column="bill_billing_period_start_date",
            required=False,
        )
        unblended = money(row["line_item_unblended_cost"], line=line, column="line_item_unblended_cost")
        net = (row.get("line_item_net_unblended_cost") or "").strip()
        effective = money(net, line=line, column="line_item_net_unblended_cost") if net else unblended
        item_type = row.get("line_item_line_item_type") or ""
        yield BillingLine(
            line_number=line,
            billing_period=(period or start).date().replace(day=1),
            charge_start=start,
            charge_end=timestamp(
                row.get("line_item_usage_end_date", ""), line=line, column="line_item_usage_end_date", required=False
            ),
            charge_category=CATEGORY.get(item_type, item_type)[:30],
            service_name=(row.get("product_servicecode") or row.get("line_item_product_code") or "")[:200],
            resource_id=(row.get("line_item_resource_id") or "")[:1000],
            region=(row.get("product_region_code") or "")[:50],
            account=(row.get("line_item_usage_account_id") or "")[:100],
            billed_cost=unblended,
            effective_cost=effective,
            currency=currency(row["line_item_currency_code"], line=line, column="line_item_currency_code"),
            tags=_tags(tag_map(row.get("resource_tags", ""), line=line, column="resource_tags")),
        )
