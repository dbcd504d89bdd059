"""Breaking changes a harvest found on datasets under contract become impact reports.

The harvest pipeline classified each change with the one rule table and stored it as a
``SchemaChange``; here the breaking ones of this run are grouped per contract and named in
the contract's terms (``object.column``), then handed to the impact report.
"""

from apps.catalog.models import SchemaChange
from apps.contracts.impact import build_impact
from apps.contracts.models import Contract

KINDS = {
    "column_removed": "column_removed",
    "type_changed": "type_incompatible",
    "nullability_changed": "became_nullable",
    "dataset_removed": "dataset_removed",
}


def report_harvested_breaks(dataset_ids, since) -> list:
    if not dataset_ids:
        return []
    changes = list(
        SchemaChange.objects.filter(dataset_id__in=list(dataset_ids), is_breaking=True, detected_at__gte=since)
        .select_related("dataset")
        .order_by("dataset_id", "id")
    )
    if not changes:
        return []
    by_dataset = {}
    for change in changes:
        by_dataset.setdefault(change.dataset_id, []).append(change)
    reports = []
    contracts = (
        Contract.objects.filter(port__port_datasets__dataset_id__in=list(by_dataset)).select_related("port").distinct()
    )
    for contract in contracts:
        dataset_ids = set(contract.port.port_datasets.values_list("dataset_id", flat=True))
        listed = []
        for ds in sorted(dataset_ids & set(by_dataset)):
            for change in by_dataset[ds]:
                kind = KINDS.get(change.change_type, "type_incompatible")
                if change.change_type == "type_changed":
                    from apps.catalog.compatibility import type_change

                    kind = (
                        type_change((change.before or {}).get("type", ""), (change.after or {}).get("type", "")) or kind
                    )
                subject = (
                    change.dataset.name if kind == "dataset_removed" else f"{change.dataset.name}.{change.column_name}"
                )
                listed.append(
                    {
                        "kind": kind,
                        "subject": subject,
                        "before": change.before,
                        "after": change.after,
                        "breaking": True,
                        "level": "major",
                        "detail": "found by a harvest",
                    }
                )
        report = build_impact(contract, listed, trigger="harvest")
        if report is not None:
            reports.append(report)
    return reports
