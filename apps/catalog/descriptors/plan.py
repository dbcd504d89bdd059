"""Diff a descriptor against the catalog, and apply the diff through actions.

``plan`` only reads; ``execute`` performs the plan with the catalog's actions (so the
same permission, validation and history rules apply) inside the caller's transaction.
A failing action is reported at the place in the file it came from.
"""

from dataclasses import dataclass, field

from django.utils.text import slugify

from apps.catalog import actions
from apps.catalog.descriptors.desired import Desired, DesiredPort
from apps.catalog.descriptors.parsing import Parsed
from apps.catalog.descriptors.sections import port_sections
from apps.catalog.models import DataProduct, Ownership, Port
from apps.core.errors import ActionError

PRODUCT_FIELDS = ("name", "summary", "description", "lifecycle", "classification", "cost_per_month", "cost_currency")
PORT_FIELDS = ("description", "protocol", "format", "endpoint", "endpoint_details")


@dataclass
class Change:
    """One planned change: ``op`` create/update/delete on a product, port, owner or a port section's item."""

    op: str
    kind: str
    name: str
    fields: dict = field(default_factory=dict)  # field -> [before, after]

    def as_dict(self) -> dict:
        return {
            "op": self.op,
            "kind": self.kind,
            "name": self.name,
            "fields": {k: [_plain(b), _plain(a)] for k, (b, a) in self.fields.items()},
        }

    def __str__(self):
        sign = {"create": "+", "update": "~", "delete": "-"}[self.op]
        details = "; ".join(f"{k}: {_plain(b)!r} → {_plain(a)!r}" for k, (b, a) in self.fields.items())
        return f"{sign} {self.kind} {self.name}" + (f" ({details})" if details else "")


def _plain(value):
    if hasattr(value, "quantize"):
        return float(value)
    return value


@dataclass
class Current:
    """What the catalog holds for the product now."""

    product: DataProduct | None
    ports: dict  # (direction, name) -> Port with prefetched datasets
    owners: dict  # (kind, name, role) -> Ownership
    sections: dict  # port section key -> {port id: what the section read}


def read_current(slug: str) -> Current:
    product = DataProduct.objects.select_related("domain").prefetch_related("tags").filter(slug=slug).first()
    if product is None:
        return Current(None, {}, {}, {})
    ports = {
        (p.direction, p.name): p
        for p in Port.objects.filter(product=product)
        .select_related("upstream_port__product")
        .prefetch_related("datasets")
    }
    owners = {}
    for o in Ownership.objects.filter(product=product).select_related("user", "team"):
        owners[("user", o.user.username, o.role) if o.user_id else ("team", o.team.slug, o.role)] = o
    sections = {key: section.read(product) for key, section in port_sections.items()}
    return Current(product, ports, owners, sections)


def _port_values(port) -> dict:
    return {
        "description": port.description,
        "protocol": port.protocol,
        "format": port.format,
        "endpoint": port.endpoint,
        "endpoint_details": port.endpoint_details or {},
    }


def _datasets_of(port) -> list[str]:
    return sorted(f"{d.namespace}/{d.name}" for d in port.datasets.all())


def _upstream_of(port) -> str | None:
    up = port.upstream_port
    return f"{up.product.slug}:{up.name}" if up is not None else None


def plan(desired: Desired, current: Current) -> list[Change]:
    changes = []
    product = current.product
    wanted = {f: getattr(desired, f) for f in PRODUCT_FIELDS}
    wanted_tags = sorted({slugify(t) for t in desired.tags})
    if product is None:
        changes.append(
            Change(
                "create",
                "product",
                desired.slug,
                {
                    **{k: [None, v] for k, v in wanted.items()},
                    "domain": [None, desired.domain.slug],
                    "tags": [None, wanted_tags],
                },
            )
        )
    else:
        diff = {f: [getattr(product, f), v] for f, v in wanted.items() if getattr(product, f) != v}
        if product.domain_id != desired.domain.pk:
            diff["domain"] = [product.domain.slug, desired.domain.slug]
        tags = sorted(t.slug for t in product.tags.all())
        if tags != wanted_tags:
            diff["tags"] = [tags, wanted_tags]
        if diff:
            changes.append(Change("update", "product", desired.slug, diff))
    for key in current.ports:
        if key not in desired.ports:
            changes.append(Change("delete", "port", f"{key[0]}:{key[1]}"))
    for key, want in desired.ports.items():
        changes += _plan_port(want, current.ports.get(key), current)
    if desired.owners is not None:
        for owner in sorted(desired.owners - set(current.owners)):
            changes.append(Change("create", "owner", f"{owner[0]}:{owner[1]}", {"role": [None, owner[2]]}))
        for owner in sorted(set(current.owners) - desired.owners):
            changes.append(Change("delete", "owner", f"{owner[0]}:{owner[1]}", {"role": [owner[2], None]}))
    return changes


def _plan_port(want: DesiredPort, port, current: Current) -> list[Change]:
    name = f"{want.direction}:{want.name}"
    wanted = {f: getattr(want, f) for f in PORT_FIELDS}
    wanted_datasets = sorted(f"{d.namespace}/{d.name}" for d in want.datasets)
    wanted_upstream = f"{want.upstream_port.product.slug}:{want.upstream_port.name}" if want.upstream_port else None
    changes = []
    if port is None:
        changes.append(
            Change(
                "create",
                "port",
                name,
                {
                    **{k: [None, v] for k, v in wanted.items() if v not in ("", {}, None)},
                    **({"datasets": [None, wanted_datasets]} if wanted_datasets else {}),
                    **({"upstream_port": [None, wanted_upstream]} if wanted_upstream else {}),
                },
            )
        )
    else:
        now = _port_values(port)
        diff = {f: [now[f], v] for f, v in wanted.items() if now[f] != v}
        if _datasets_of(port) != wanted_datasets:
            diff["datasets"] = [_datasets_of(port), wanted_datasets]
        if _upstream_of(port) != wanted_upstream:
            diff["upstream_port"] = [_upstream_of(port), wanted_upstream]
        if diff:
            changes.append(Change("update", "port", name, diff))
    for key, wanted_section in want.sections.items():
        existing = current.sections.get(key, {}).get(port.pk, {}) if port is not None else {}
        changes += port_sections[key].plan(name, wanted_section, existing)
    return changes


def _at(parsed: Parsed, path: tuple, exc: ActionError) -> ActionError:
    """The same error, its fields turned into descriptor paths with line and column."""
    problems = [
        parsed.locate(path + ((_DESCRIPTOR_FIELD.get(f, f),) if f else ()), code, message)
        for f, code, message in exc.errors
    ]
    error = type(exc)(exc.message, errors=[(p.path or None, p.code, p.message) for p in problems])
    error.problems = problems
    return error


_DESCRIPTOR_FIELD = {
    "summary": "description",
    "description": "description",
    "lifecycle": "status",
    "classification": "customProperties",
    "cost_per_month": "customProperties",
    "cost_currency": "customProperties",
    "protocol": "type",
    "upstream_port": "consumes",
    "endpoint_details": "endpointDetails",
    "slug": "id",
}


def execute(actor, desired: Desired, current: Current, parsed: Parsed, changes: list[Change], *, via: str) -> None:
    """Apply ``changes`` (from ``plan``) through actions; the caller holds the transaction."""
    fields = {f: getattr(desired, f) for f in PRODUCT_FIELDS}
    try:
        if current.product is None:
            product = actions.create_product(
                actor, domain=desired.domain, slug=desired.slug, tags=desired.tags, via=via, **fields
            )
        else:
            product = actions.update_product(
                actor, current.product, domain=desired.domain, tags=desired.tags, via=via, **fields
            )
    except ActionError as exc:
        raise _at(parsed, (), exc) from None
    changed_ports = {c.name for c in changes if c.kind == "port"}
    for key, port in current.ports.items():
        if key not in desired.ports:
            actions.delete_port(actor, port, via=via)
    for key, want in desired.ports.items():
        port = current.ports.get(key)
        name = f"{want.direction}:{want.name}"
        values = {f: getattr(want, f) for f in PORT_FIELDS}
        try:
            if port is None:
                port = actions.create_port(
                    actor,
                    product,
                    name=want.name,
                    direction=want.direction,
                    datasets=want.datasets,
                    upstream_port=want.upstream_port,
                    via=via,
                    **values,
                )
            elif name in changed_ports:
                port = actions.update_port(
                    actor, port, datasets=want.datasets, upstream_port=want.upstream_port, via=via, **values
                )
        except ActionError as exc:
            raise _at(parsed, want.path, exc) from None
        for section_key, wanted_section in want.sections.items():
            port_sections[section_key].execute(
                actor,
                port,
                wanted_section,
                current.sections.get(section_key, {}).get(port.pk, {}),
                locate=_section_locator(parsed, want.path + (section_key,)),
                via=via,
            )
    if desired.owners is not None:
        for owner in sorted(desired.owners - set(current.owners)):
            actions.add_owner(actor, product, **{owner[0]: desired.holders[owner[:2]]}, role=owner[2], via=via)
        for owner in sorted(set(current.owners) - desired.owners):
            actions.remove_owner(actor, current.owners[owner], via=via)


def _section_locator(parsed: Parsed, path: tuple):
    def locate(subpath: tuple, exc: ActionError) -> ActionError:
        return _at(parsed, path + subpath, exc)

    return locate
