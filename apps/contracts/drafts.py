""" "Draft a contract from what was harvested": a valid ODCS document an owner edits, not types.

From the port's datasets: columns (physical and logical types), NOT NULL as ``required``,
primary keys and unique constraints, dbt tests as ODCS library rules (``not_null`` →
``nullValues``, ``unique`` → ``duplicateValues``, ``accepted_values`` → ``invalidValues``),
a dbt source freshness policy as a ``latency`` SLA, and the PostgreSQL server.
"""

import yaml

from apps.catalog import compatibility
from apps.catalog.models import Column, DatasetConstraint, QualityCheck
from apps.contracts.judge import LOGICAL_OF

API_VERSION = "v3.1.0"


def draft_document(port) -> dict:
    datasets = [d for d in port.datasets.order_by("name") if d.removed_at is None]
    ids = [d.pk for d in datasets]
    columns: dict[int, list] = {}
    for col in Column.objects.filter(dataset_id__in=ids).order_by("dataset_id", "ordinal", "name"):
        columns.setdefault(col.dataset_id, []).append(col)
    unique: dict[int, set] = {}
    for ds, cols in DatasetConstraint.objects.filter(dataset_id__in=ids, kind="unique").values_list(
        "dataset_id", "columns"
    ):
        if len(cols) == 1:
            unique.setdefault(ds, set()).add(cols[0])
    tests: dict[tuple, list] = {}
    freshness: dict[int, dict] = {}
    for check in QualityCheck.objects.filter(dataset_id__in=ids, removed_at__isnull=True).order_by("name"):
        if check.check_type == "freshness":
            freshness[check.dataset_id] = check.definition
        else:
            tests.setdefault((check.dataset_id, check.column_name), []).append(check)
    product = port.product
    doc = {
        "apiVersion": API_VERSION,
        "kind": "DataContract",
        "id": f"{product.slug}-{port.name}".lower().replace(" ", "-"),
        "name": f"{product.name}: {port.name}",
        "version": "1.0.0",
        "status": "draft",
        "domain": product.domain.slug,
        "dataProduct": product.slug,
        "description": {
            "purpose": port.description or product.summary or f"Output port {port.name} of {product.name}."
        },
    }
    servers = _servers(datasets)
    if servers:
        doc["servers"] = servers
    doc["schema"] = [_object(d, columns.get(d.pk, []), unique.get(d.pk, set()), tests) for d in datasets]
    slas = [_latency(freshness[d.pk], d) for d in datasets if d.pk in freshness and _latency(freshness[d.pk], d)]
    if slas:
        doc["slaProperties"] = slas
    return doc


def _servers(datasets) -> list[dict]:
    out, seen = [], set()
    for d in datasets:
        if d.platform != "postgres" or not d.namespace.startswith("postgres://"):
            continue
        host, _, port = d.namespace.removeprefix("postgres://").partition(":")
        parts = d.name.split(".")
        key = (host, port, parts[0], parts[1] if len(parts) > 2 else "")
        if key in seen:
            continue
        seen.add(key)
        server = {
            "server": f"{host}-{parts[0]}"[:100],
            "type": "postgres",
            "host": host,
            "port": int(port or 5432),
            "database": parts[0],
        }
        if len(parts) > 2:
            server["schema"] = parts[1]
        out.append(server)
    return out


def _object(dataset, cols, unique_cols, tests) -> dict:
    obj = {
        "name": dataset.short_name,
        "physicalName": dataset.short_name,
        "physicalType": "view" if dataset.kind == "view" else "table",
    }
    if dataset.description:
        obj["description"] = dataset.description
    obj["properties"] = [_property(c, c.name in unique_cols, tests.get((dataset.pk, c.name), [])) for c in cols]
    return obj


def _property(col, unique: bool, checks) -> dict:
    prop = {"name": col.name, "physicalType": col.data_type or "text"}
    logical = LOGICAL_OF.get(compatibility.parse_type(col.data_type).base)
    if logical:
        prop["logicalType"] = logical
    kinds = {c.check_type for c in checks}
    if not col.nullable or "not_null" in kinds:
        prop["required"] = True
    if col.is_primary_key:
        prop["primaryKey"] = True
    if unique or "unique" in kinds:
        prop["unique"] = True
    if col.description:
        prop["description"] = col.description
    quality = []
    for check in checks:
        if check.check_type == "not_null":
            quality.append(
                {"type": "library", "metric": "nullValues", "mustBe": 0, "description": f"dbt test {check.name}"}
            )
        elif check.check_type == "unique":
            quality.append(
                {"type": "library", "metric": "duplicateValues", "mustBe": 0, "description": f"dbt test {check.name}"}
            )
        elif check.check_type == "accepted_values":
            values = (check.definition.get("kwargs") or {}).get("values")
            if isinstance(values, list):
                quality.append(
                    {
                        "type": "library",
                        "metric": "invalidValues",
                        "mustBe": 0,
                        "arguments": {"validValues": values},
                        "description": f"dbt test {check.name}",
                    }
                )
    if quality:
        prop["quality"] = quality
    return prop


_PERIODS = {"minute": "m", "hour": "h", "day": "d"}


def _latency(definition: dict, dataset) -> dict | None:
    policy = (definition or {}).get("error_after") or (definition or {}).get("warn_after") or {}
    if not policy.get("count") or policy.get("period") not in _PERIODS:
        return None
    return {
        "property": "latency",
        "value": policy["count"],
        "unit": _PERIODS[policy["period"]],
        "element": dataset.short_name,
    }


def draft_yaml(port) -> str:
    return yaml.safe_dump(draft_document(port), sort_keys=False, allow_unicode=True, width=1000)
