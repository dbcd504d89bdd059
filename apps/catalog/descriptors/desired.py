"""From validated descriptor data to the product it describes, resolving every reference.

All references (domain, datasets, consumed ports, people, teams) are looked up in a
handful of set-based queries; each missing one becomes a located ``Problem``.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q

from apps.catalog.descriptors.parsing import Parsed
from apps.catalog.descriptors.sections import port_sections
from apps.catalog.models import Dataset, Domain, Port, PortDirection, Team

STATUS_TO_LIFECYCLE = {
    "proposed": "draft",
    "draft": "draft",
    "active": "published",
    "published": "published",
    "deprecated": "deprecated",
    "retired": "retired",
}
LIFECYCLE_TO_STATUS = {"draft": "draft", "published": "active", "deprecated": "deprecated", "retired": "retired"}
PORT_KEYS = {"input": "inputPorts", "output": "outputPorts"}


@dataclass
class DesiredPort:
    """A port as the descriptor wants it; ``path`` locates it in the file."""

    direction: str
    name: str
    path: tuple
    description: str = ""
    protocol: str = "other"
    format: str = ""
    endpoint: str = ""
    endpoint_details: dict = field(default_factory=dict)
    datasets: list = field(default_factory=list)  # Dataset rows, ordered by (namespace, name)
    upstream_port: Port | None = None
    sections: dict = field(default_factory=dict)  # key -> parsed value of a registered PortSection; absent: not managed

    @property
    def key(self) -> tuple:
        return (self.direction, self.name)


@dataclass
class Desired:
    """The whole product as the descriptor wants it."""

    slug: str
    name: str
    domain: Domain | None
    lifecycle: str
    summary: str
    description: str
    classification: str
    tags: list
    cost_per_month: Decimal | None
    cost_currency: str
    owners: set | None  # {(kind, name, role)}; None: ownership not managed by the file
    ports: dict  # (direction, name) -> DesiredPort
    holders: dict = field(default_factory=dict)  # (kind, name) -> User/Team row


def build_desired(parsed: Parsed) -> tuple[Desired | None, list]:
    data = parsed.data
    problems = []
    domain = Domain.objects.filter(slug=data["domain"]).first()
    if domain is None:
        problems.append(parsed.locate(("domain",), "not_found", f"No domain '{data['domain']}' in the catalog."))
    description = data.get("description") or {}
    custom = data.get("customProperties") or {}
    cost = custom.get("costPerMonth")
    desired = Desired(
        slug=data["id"],
        name=data["name"],
        domain=domain,
        lifecycle=STATUS_TO_LIFECYCLE[data.get("status", "draft")],
        summary=description.get("purpose", ""),
        description=description.get("usage", ""),
        classification=custom.get("classification", "internal"),
        tags=sorted(data.get("tags") or []),
        cost_per_month=Decimal(str(cost)).quantize(Decimal("0.01")) if cost is not None else None,
        cost_currency=custom.get("costCurrency", ""),
        owners=None,
        ports={},
    )
    problems += _build_ports(parsed, desired)
    problems += _build_owners(parsed, desired)
    return (None if problems else desired), problems


def _build_ports(parsed: Parsed, desired: Desired) -> list:
    data, problems = parsed.data, []
    wanted_datasets, wanted_upstreams = set(), set()
    for key in PORT_KEYS.values():
        for port in data.get(key) or []:
            wanted_datasets |= {(d["namespace"], d["name"]) for d in port.get("datasets") or []}
            if port.get("consumes"):
                wanted_upstreams.add((port["consumes"]["product"], port["consumes"]["port"]))
    datasets = _datasets_by_identity(wanted_datasets)
    upstreams = _output_ports_by_name(wanted_upstreams)
    for direction, key in PORT_KEYS.items():
        for i, port in enumerate(data.get(key) or []):
            path = (key, i)
            row = DesiredPort(
                direction=direction,
                name=port["name"],
                path=path,
                description=port.get("description", ""),
                protocol=port.get("type", "other"),
                format=port.get("format", ""),
                endpoint=port.get("endpoint", ""),
                endpoint_details=port.get("endpointDetails") or {},
            )
            if row.key in desired.ports:
                problems.append(
                    parsed.locate(path + ("name",), "duplicate_port", f"Two {direction} ports are named '{row.name}'.")
                )
            for j, ref in enumerate(port.get("datasets") or []):
                found = datasets.get((ref["namespace"], ref["name"]))
                if found is None:
                    problems.append(
                        parsed.locate(
                            path + ("datasets", j),
                            "not_found",
                            f"No dataset '{ref['namespace']}/{ref['name']}' in the catalog (harvest it first).",
                        )
                    )
                elif found not in row.datasets:
                    row.datasets.append(found)
            row.datasets.sort(key=lambda d: (d.namespace, d.name))
            consumes = port.get("consumes")
            if consumes:
                row.upstream_port = upstreams.get((consumes["product"], consumes["port"]))
                if row.upstream_port is None:
                    problems.append(
                        parsed.locate(
                            path + ("consumes",),
                            "not_found",
                            f"Product '{consumes['product']}' has no output port '{consumes['port']}'.",
                        )
                    )
            if direction == PortDirection.OUTPUT:
                for section in port_sections.values():
                    if section.key in port:
                        row.sections[section.key], section_problems = section.parse(
                            port[section.key], path + (section.key,), parsed
                        )
                        problems += section_problems
            desired.ports[row.key] = row
    return problems


def _datasets_by_identity(pairs) -> dict:
    if not pairs:
        return {}
    q = Q()
    for namespace, name in pairs:
        q |= Q(namespace=namespace, name=name)
    return {(d.namespace, d.name): d for d in Dataset.objects.filter(q)}


def _output_ports_by_name(pairs) -> dict:
    if not pairs:
        return {}
    q = Q()
    for product, name in pairs:
        q |= Q(product__slug=product, name=name)
    rows = Port.objects.filter(q, direction=PortDirection.OUTPUT).select_related("product")
    return {(p.product.slug, p.name): p for p in rows}


def _build_owners(parsed: Parsed, desired: Desired) -> list:
    team = parsed.data.get("team")
    if team is None or "members" not in team:
        return []
    problems, members = [], team["members"]
    usernames = {m["username"] for m in members if "username" in m}
    team_slugs = {m["team"] for m in members if "team" in m}
    users = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
    teams = {t.slug: t for t in Team.objects.filter(slug__in=team_slugs)}
    desired.owners = set()
    for i, member in enumerate(members):
        kind, name = ("user", member["username"]) if "username" in member else ("team", member["team"])
        row = users.get(name) if kind == "user" else teams.get(name)
        if row is None:
            problems.append(
                parsed.locate(
                    ("team", "members", i, "username" if kind == "user" else "team"),
                    "not_found",
                    f"No {kind} '{name}'.",
                )
            )
            continue
        desired.holders[(kind, name)] = row
        desired.owners.add((kind, name, member.get("role", "owner")))
    return problems
