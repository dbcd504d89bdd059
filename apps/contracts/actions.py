"""Every write of the contracts app: submit a version, move its status, bind a port, draft, acknowledge.

Each checks permission (the bound product's editors; admins), validates — the contract
text against the ODCS JSON Schema, the version against the previous ones, the servers
against the port — and writes in one transaction, so a refused contract writes nothing.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from apps.catalog.models import Port, PortDirection
from apps.catalog.permissions import can_edit_product
from apps.contracts import notify, odcs
from apps.contracts.models import TRANSITIONS, Contract, ContractStatus, ContractVersion, ImpactEntry
from apps.core.errors import ActionError, NotFoundError, PermissionDeniedError
from apps.core.history import record_change
from apps.core.hooks import objects_changed
from apps.core.models import ChangeAction
from apps.core.writes import require


class ContractInvalid(ActionError):
    """The contract has problems; ``problems`` lists every one with its line and column."""

    code = "invalid_contract"

    def __init__(self, problems: list[odcs.Problem]):
        super().__init__(
            f"The contract has {len(problems)} problem(s).",
            errors=[(p.path or None, p.code, p.message) for p in problems],
        )
        self.problems = problems


@dataclass
class SubmitResult:
    """What submitting (or previewing) a contract did: the version, its changes, the impact."""

    contract: Contract
    version: ContractVersion | None
    changes: list[dict] = field(default_factory=list)
    level: str | None = None
    breaking: bool = False
    impact: object = None
    dry_run: bool = False
    unchanged: bool = False

    def as_dict(self) -> dict:
        return {
            "contract": self.contract.odcs_id,
            "version": self.version.version if self.version else None,
            "status": self.version.status if self.version else None,
            "dry_run": self.dry_run,
            "unchanged": self.unchanged,
            "level": self.level,
            "breaking": self.breaking,
            "changes": self.changes,
            "impact": impact_summary(self.impact),
        }


def impact_summary(report) -> dict | None:
    if report is None:
        return None
    entries = list(report.entries.select_related("product", "dataset", "user"))
    return {
        "id": report.pk,
        "affected": report.affected_count,
        "informed": report.informed_count,
        "consumers": [
            {
                "kind": e.kind,
                "level": e.level,
                "name": e.product.slug if e.product else e.dataset.name if e.dataset else e.user.get_username(),
                "columns": e.columns,
                "message": e.reason,
            }
            for e in entries[:500]
        ],
    }


def parse_or_raise(text) -> odcs.ParsedContract:
    parsed = odcs.parse(text)
    if parsed.problems:
        raise ContractInvalid(parsed.problems)
    if parsed.data.get("kind") != "DataContract":
        raise ContractInvalid([parsed.problem(("kind",), "invalid", "kind must be DataContract.")])
    return parsed


def _editor(actor, port: Port | None) -> None:
    if port is None:
        require(getattr(actor, "is_superuser", False), "Only admins keep contracts that are bound to no port.")
        return
    require(can_edit_product(actor, port.product), f"You do not own data product '{port.product.slug}'.")


def _check_server(parsed: odcs.ParsedContract, port: Port) -> list[odcs.Problem]:
    """A contract's servers must include the place the port's datasets live."""
    servers = parsed.data.get("servers") or []
    datasets = list(port.datasets.only("namespace", "name", "platform"))
    if not servers or not datasets:
        return []
    wanted = {(d.namespace, d.name.split(".")[0] if d.platform == "postgres" else "") for d in datasets}
    for server in servers:
        if not isinstance(server, dict):
            continue
        if server.get("type") in ("postgres", "postgresql") and server.get("host"):
            namespace = f"postgres://{server['host']}:{server.get('port') or 5432}"
            if any(ns == namespace and (not server.get("database") or db == server["database"]) for ns, db in wanted):
                return []
        elif server.get("type") not in ("postgres", "postgresql"):
            return []  # other platforms: we cannot tell, so we do not refuse
    return [
        parsed.problem(
            ("servers",),
            "server_mismatch",
            f"No server matches port '{port.product.slug}/{port.name}' "
            f"({', '.join(sorted(f'{ns}/{db}' for ns, db in wanted))}).",
        )
    ]


def resolve_port(ref: str) -> Port:
    """``product-slug/port-name`` → the output port, or a clear error."""
    product, _, name = (ref or "").partition("/")
    port = Port.objects.select_related("product__domain").filter(product__slug=product, name=name).first()
    if port is None:
        raise NotFoundError(f"No output port '{ref}' (use product-slug/port-name).", field="port", code="unknown_port")
    if port.direction != PortDirection.OUTPUT:
        raise ActionError(
            f"'{ref}' is an input port; contracts bind output ports.", field="port", code="not_an_output_port"
        )
    return port


def submit_contract(
    actor, text, *, port: Port | None = None, expected_id: str | None = None, dry_run: bool = False, via: str = "web"
) -> SubmitResult:
    """Store a new immutable version (or preview it). Refuses: invalid ODCS, unknown port,
    a version that is not newer, a major change without a major bump, a server that does not
    match the port. A breaking change against the active version writes an impact report."""
    from apps.contracts.impact import build_impact

    parsed = parse_or_raise(text)
    if expected_id is not None and parsed.contract_id != expected_id:
        raise ContractInvalid(
            [parsed.problem(("id",), "id_mismatch", f"The contract is '{parsed.contract_id}', not '{expected_id}'.")]
        )
    with transaction.atomic():
        contract = Contract.objects.select_for_update().filter(odcs_id=parsed.contract_id).first()
        if contract is not None and contract.port_id and port is not None and port.pk != contract.port_id:
            raise ActionError(
                f"Contract '{contract.odcs_id}' is bound to another port; unbind it first.",
                field="port",
                code="bound_elsewhere",
            )
        bound = port or (contract.port if contract and contract.port_id else None)
        if bound is None:
            raise NotFoundError(
                f"Contract '{parsed.contract_id}' is bound to no output port: name one (product-slug/port-name), "
                "or declare contractId on the port in the product's descriptor.",
                field="port",
                code="unknown_port",
            )
        if hasattr(bound, "contract") and bound.contract.pk != getattr(contract, "pk", None):
            raise ActionError(
                f"Port '{bound}' already has contract '{bound.contract.odcs_id}'.", field="port", code="port_taken"
            )
        _editor(actor, bound)
        problems = _check_server(parsed, bound)
        if problems:
            raise ContractInvalid(problems)
        if contract is None:
            contract = Contract.objects.create(
                odcs_id=parsed.contract_id, name=str(parsed.data.get("name") or "")[:300], port=bound
            )
        elif contract.port_id is None:
            contract.port = bound
            contract.save(update_fields=["port", "updated_at"])
        result = _new_version(actor, contract, parsed, via=via, dry_run=dry_run)
        if result.breaking and not result.unchanged:
            result.impact = build_impact(
                contract, result.changes, trigger="proposal", version=None if dry_run else result.version, actor=actor
            )
        if dry_run:
            transaction.set_rollback(True)
    return result


def _new_version(actor, contract, parsed, *, via, dry_run) -> SubmitResult:
    versions = list(contract.versions.order_by("-major", "-minor", "-patch"))
    same = next((v for v in versions if v.version == parsed.version), None)
    if same is not None:
        if same.text == parsed.text or same.document == parsed.data:
            return SubmitResult(contract, same, unchanged=True, dry_run=dry_run)
        raise ContractInvalid(
            [
                parsed.problem(
                    ("version",),
                    "version_exists",
                    f"Version {parsed.version} exists and versions are immutable; bump the version.",
                )
            ]
        )
    semver = odcs.parse_version(parsed.version)
    latest = versions[0] if versions else None
    if latest is not None and semver <= latest.semver:
        raise ContractInvalid(
            [
                parsed.problem(
                    ("version",), "version_downgrade", f"Version {parsed.version} is not newer than {latest.version}."
                )
            ]
        )
    base = next((v for v in versions if v.status == ContractStatus.ACTIVE), latest)
    changes = [c.as_dict() for c in odcs.diff_contracts(base.document, parsed.data)] if base else []
    level = max((c["level"] for c in changes), key=["patch", "minor", "major"].index, default=None)
    breaking = any(c["breaking"] for c in changes)
    if base is not None and level == "major" and semver[0] <= base.major:
        listed = "; ".join(f"{c['kind'].replace('_', ' ')}: {c['subject']}" for c in changes if c["level"] == "major")
        raise ContractInvalid(
            [
                parsed.problem(
                    ("version",),
                    "major_bump_required",
                    f"Breaking changes need a new major version (after {base.version}): {listed}.",
                )
            ]
        )
    status = parsed.status if parsed.status in ContractStatus.values else ContractStatus.PROPOSED
    if status in (ContractStatus.DEPRECATED, ContractStatus.RETIRED):
        status = ContractStatus.PROPOSED
    version = ContractVersion.objects.create(
        contract=contract,
        version=parsed.version,
        major=semver[0],
        minor=semver[1],
        patch=semver[2],
        status=status,
        api_version=str(parsed.data.get("apiVersion")),
        text=parsed.text,
        document=parsed.data,
        changes=changes,
        level=level or "",
        created_by=actor if getattr(actor, "pk", None) else None,
        created_via=via,
        status_changed_at=timezone.now(),
    )
    if status == ContractStatus.ACTIVE:
        _deprecate_others(contract, version)
    record_change(
        actor, contract, ChangeAction.UPDATE, before=None, after={"version": version.version, "status": status}, via=via
    )
    notify.version_published(version, actor, what="submitted")
    objects_changed(Port, [contract.port_id])  # the port's contract standing moved: maturity re-reads it
    return SubmitResult(contract, version, changes=changes, level=level, breaking=breaking, dry_run=dry_run)


def _deprecate_others(contract, version) -> None:
    contract.versions.filter(status=ContractStatus.ACTIVE).exclude(pk=version.pk).update(
        status=ContractStatus.DEPRECATED, status_changed_at=timezone.now()
    )


def set_status(actor, version: ContractVersion, status: str, *, via: str = "web") -> ContractVersion:
    """Move a version along proposed → active → deprecated → retired (activating one deprecates the other)."""
    with transaction.atomic():
        version = (
            ContractVersion.objects.select_for_update(of=("self",))
            .select_related("contract__port__product__domain")
            .get(pk=version.pk)
        )
        _editor(actor, version.contract.port)
        if status not in TRANSITIONS.get(version.status, set()):
            allowed = ", ".join(sorted(TRANSITIONS.get(version.status, ()))) or "none"
            raise ActionError(
                f"A {version.status} version cannot become {status} (allowed: {allowed}).",
                field="status",
                code="invalid_transition",
            )
        before = version.status
        version.status = status
        version.status_changed_at = timezone.now()
        version.save(update_fields=["status", "status_changed_at"])
        if status == ContractStatus.ACTIVE:
            _deprecate_others(version.contract, version)
        record_change(
            actor,
            version.contract,
            ChangeAction.UPDATE,
            before={"version": version.version, "status": before},
            after={"version": version.version, "status": status},
            via=via,
        )
        notify.version_published(version, actor, what=f"{before} → {status}")
        objects_changed(Port, [version.contract.port_id])
    return version


def bind_port(actor, odcs_id: str, port: Port, *, via: str = "web") -> Contract:
    """Bind (or create, versionless) contract ``odcs_id`` to an output port."""
    if port.direction != PortDirection.OUTPUT:
        raise ActionError("Contracts bind output ports.", field="port", code="not_an_output_port")
    _editor(actor, port)
    with transaction.atomic():
        contract, _ = Contract.objects.select_for_update().get_or_create(odcs_id=odcs_id[:200])
        taken = Contract.objects.filter(port=port).exclude(pk=contract.pk).first()
        if taken is not None:
            raise ActionError(f"Port '{port}' already has contract '{taken.odcs_id}'.", field="port", code="port_taken")
        if contract.port_id != port.pk:
            before = {"port": str(contract.port) if contract.port_id else None}
            previous_port = contract.port_id
            contract.port = port
            contract.save()
            record_change(actor, contract, ChangeAction.UPDATE, before=before, after={"port": str(port)}, via=via)
            objects_changed(Port, [previous_port, port.pk])
    return contract


def bind_from_descriptor(actor, data: dict, slug: str, via: str) -> None:
    """Descriptor hook: each output port's ``contractId`` binds that contract to it."""
    for port_data in data.get("outputPorts") or []:
        odcs_id = port_data.get("contractId")
        if not odcs_id:
            continue
        port = (
            Port.objects.select_related("product__domain")
            .filter(product__slug=slug, direction=PortDirection.OUTPUT, name=port_data.get("name"))
            .first()
        )
        if port is not None:
            bind_port(actor, str(odcs_id), port, via=via)


def acknowledge(actor, entry: ImpactEntry, *, via: str = "web") -> ImpactEntry:
    """A consumer (the person, or an editor of the consumer product) acknowledges a change."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDeniedError("Log in to acknowledge.")
    entry = ImpactEntry.objects.select_related("product__domain", "report").get(pk=entry.pk)
    allowed = entry.user_id == getattr(actor, "pk", None) or (
        entry.product is not None and can_edit_product(actor, entry.product)
    )
    require(allowed or getattr(actor, "is_superuser", False), "Only the consumer acknowledges this change.")
    if entry.acknowledged_at is None:
        with transaction.atomic():
            entry.acknowledged_at = timezone.now()
            entry.acknowledged_by = actor if getattr(actor, "pk", None) else None
            entry.save(update_fields=["acknowledged_at", "acknowledged_by"])
            notify.acknowledged(entry, actor)
    return entry
