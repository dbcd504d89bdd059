"""The whole catalog as one JSON document, in a documented, deterministic order (README "Harvesting").

Built with one query per kind of object, so exporting 100,000 columns is a handful of queries.
"""

from apps.catalog.models import Column, ColumnLineageEdge, DataProduct, Dataset, Domain, LineageEdge, Port, PortDataset


def export_catalog(*, include_removed: bool = False) -> dict:
    datasets = Dataset.objects.all() if include_removed else Dataset.objects.live()
    return {
        "domains": _domains(),
        "products": _products(),
        "datasets": _datasets(datasets, include_removed),
    }


def _domains() -> list[dict]:
    rows = Domain.objects.order_by("path").values("slug", "name", "description", "parent__slug")
    return [
        {"slug": r["slug"], "name": r["name"], "parent": r["parent__slug"], "description": r["description"]}
        for r in rows
    ]


def _products() -> list[dict]:
    tags: dict[int, list[str]] = {}
    for pk, slug in DataProduct.tags.through.objects.values_list("dataproduct_id", "tag__slug"):
        tags.setdefault(pk, []).append(slug)
    port_datasets: dict[int, list[dict]] = {}
    for port_id, ns, name in PortDataset.objects.values_list("port_id", "dataset__namespace", "dataset__name").order_by(
        "dataset__namespace", "dataset__name"
    ):
        port_datasets.setdefault(port_id, []).append({"namespace": ns, "name": name})
    ports: dict[int, list[dict]] = {}
    for p in Port.objects.order_by("direction", "name").values(
        "pk",
        "product_id",
        "name",
        "direction",
        "protocol",
        "format",
        "endpoint",
        "description",
        "upstream_port__product__slug",
        "upstream_port__name",
    ):
        upstream = (
            f"{p['upstream_port__product__slug']}:{p['upstream_port__name']}" if p["upstream_port__name"] else None
        )
        ports.setdefault(p["product_id"], []).append(
            {
                "name": p["name"],
                "direction": p["direction"],
                "protocol": p["protocol"],
                "format": p["format"],
                "endpoint": p["endpoint"],
                "description": p["description"],
                "upstream_port": upstream,
                "datasets": port_datasets.get(p["pk"], []),
            }
        )
    return [
        {
            "slug": p["slug"],
            "name": p["name"],
            "domain": p["domain__slug"],
            "lifecycle": p["lifecycle"],
            "classification": p["classification"],
            "summary": p["summary"],
            "description": p["description"],
            "tags": sorted(tags.get(p["pk"], [])),
            "ports": ports.get(p["pk"], []),
        }
        for p in DataProduct.objects.order_by("slug").values(
            "pk", "slug", "name", "domain__slug", "lifecycle", "classification", "summary", "description"
        )
    ]


def _datasets(queryset, include_removed: bool) -> list[dict]:
    rows = list(
        queryset.order_by("namespace", "name").values(
            "pk", "namespace", "name", "kind", "source__name", "description", "domain__slug", "removed_at"
        )
    )
    ids = [r["pk"] for r in rows]
    wanted = set(ids)
    columns: dict[int, list[dict]] = {}
    for ds, name, data_type, nullable, description in (
        Column.objects.filter(dataset__in=queryset)
        .order_by("dataset_id", "ordinal", "name")
        .values_list("dataset_id", "name", "data_type", "nullable", "description")
    ):
        columns.setdefault(ds, []).append(
            {"name": name, "type": data_type, "nullable": nullable, "description": description}
        )
    upstream: dict[int, set] = {}
    for down, ns, name, up in LineageEdge.objects.filter(downstream__in=queryset).values_list(
        "downstream_id", "upstream__namespace", "upstream__name", "upstream_id"
    ):
        if up in wanted:
            upstream.setdefault(down, set()).add((ns, name))
    column_lineage: dict[int, dict[str, set]] = {}
    for down, column, ns, name, up_column, up in ColumnLineageEdge.objects.filter(
        downstream__dataset__in=queryset
    ).values_list(
        "downstream__dataset_id",
        "downstream__name",
        "upstream__dataset__namespace",
        "upstream__dataset__name",
        "upstream__name",
        "upstream__dataset_id",
    ):
        if up in wanted:
            column_lineage.setdefault(down, {}).setdefault(column, set()).add((ns, name, up_column))
    out = []
    for r in rows:
        item = {
            "namespace": r["namespace"],
            "name": r["name"],
            "kind": r["kind"],
            "source": r["source__name"],
            "domain": r["domain__slug"],
            "description": r["description"],
            "columns": columns.get(r["pk"], []),
            "upstream": [{"namespace": ns, "name": name} for ns, name in sorted(upstream.get(r["pk"], ()))],
            "column_lineage": [
                {
                    "column": col,
                    "upstream": [{"namespace": ns, "name": name, "column": c} for ns, name, c in sorted(ups)],
                }
                for col, ups in sorted(column_lineage.get(r["pk"], {}).items())
            ],
        }
        if include_removed:
            item["removed"] = r["removed_at"] is not None
        out.append(item)
    return out
