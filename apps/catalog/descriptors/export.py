"""Writing a product out as a descriptor; applying the export back changes nothing."""

import yaml

from apps.catalog.descriptors.desired import LIFECYCLE_TO_STATUS
from apps.catalog.descriptors.sections import port_sections
from apps.catalog.models import DataProduct, Ownership, Port
from apps.core.registry import Registry

API_VERSION = "v1.0.0"

#: ``fn(product) -> dict`` merged into ``customProperties`` by apps above the catalog
#: (the maturity level), registered from their ``AppConfig.ready()``. Applying a
#: descriptor ignores what they add: it is computed, never typed in.
EXPORT_EXTENSIONS: Registry = Registry("descriptor export extensions")


def register_export_extension(name: str, fn) -> None:
    EXPORT_EXTENSIONS.register(name, fn)


def export_descriptor(product: DataProduct) -> dict:
    """The descriptor of ``product`` as plain data (ports and owners in a stable order)."""
    ports = (
        Port.objects.filter(product=product)
        .select_related("upstream_port__product")
        .prefetch_related("datasets")
        .order_by("name")
    )
    sections = {key: section.export(product) for key, section in port_sections.items()}
    owners = Ownership.objects.filter(product=product).select_related("user", "team")
    members = sorted(
        (
            {"username": o.user.username, "role": str(o.role)}
            if o.user_id
            else {"team": o.team.slug, "role": str(o.role)}
            for o in owners
        ),
        key=lambda m: (m.get("username") or "", m.get("team") or "", m["role"]),
    )
    data = {
        "apiVersion": API_VERSION,
        "kind": "DataProduct",
        "id": product.slug,
        "name": product.name,
        "domain": product.domain.slug,
        "status": LIFECYCLE_TO_STATUS[str(product.lifecycle)],
        "description": _without_empty({"purpose": product.summary, "usage": product.description}),
        "tags": sorted(t.slug for t in product.tags.all()),
        "team": {"members": members},
        "inputPorts": [_port(p, sections) for p in ports if str(p.direction) == "input"],
        "outputPorts": [_port(p, sections) for p in ports if str(p.direction) == "output"],
        "customProperties": _without_empty(
            {
                "classification": str(product.classification),
                "costPerMonth": float(product.cost_per_month) if product.cost_per_month is not None else None,
                "costCurrency": product.cost_currency,
            }
        ),
    }
    for extend in EXPORT_EXTENSIONS.values():
        data["customProperties"].update(extend(product))
    return data


def _port(port: Port, sections: dict) -> dict:
    data = _without_empty(
        {
            "name": port.name,
            "type": str(port.protocol),
            "description": port.description,
            "format": port.format,
            "endpoint": port.endpoint,
            "endpointDetails": port.endpoint_details or None,
            "datasets": [
                {"namespace": d.namespace, "name": d.name}
                for d in sorted(port.datasets.all(), key=lambda d: (d.namespace, d.name))
            ],
        }
    )
    if port.upstream_port_id:
        data["consumes"] = {"product": port.upstream_port.product.slug, "port": port.upstream_port.name}
    if port.direction == "output":
        for key, values in sections.items():
            data[key] = values.get(port.pk, [])
    return data


def _without_empty(data: dict) -> dict:
    return {k: v for k, v in data.items() if v not in ("", None, [], {})}


class _Dumper(yaml.SafeDumper):
    """Writes multi-line text (descriptions, SQL) as readable literal blocks."""


def _str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
