"""Data products as code: ODPS-shaped YAML descriptors, validated, diffed, applied, exported.

The format (documented in ``schema.json`` and README "Data products as code") follows
Bitol's Open Data Product Standard v1 for the product — ``apiVersion, kind, id, name,
domain, status, description{purpose, usage}, tags, team, inputPorts, outputPorts`` — and
adds our own fields where ODPS has none: port fields (``type`` as protocol, ``format``,
``endpoint``, ``endpointDetails``, ``datasets``, ``consumes`` for input ports,
``sampleQueries`` for output ports) and ``customProperties`` (``classification``,
``costPerMonth``, ``costCurrency``). The file is the truth: applying it makes the product,
its ports, its owners (when ``team.members`` is given) and its curated sample queries
(when a port lists ``sampleQueries``) exactly what it says, in one transaction.
"""

from dataclasses import dataclass, field

from django.db import transaction

from apps.catalog.descriptors.desired import Desired, build_desired
from apps.catalog.descriptors.export import dump_yaml, export_descriptor
from apps.catalog.descriptors.parsing import Parsed, Problem, parse
from apps.catalog.descriptors.plan import Change, execute, plan, read_current
from apps.catalog.permissions import can_edit_domain, can_edit_product
from apps.core.errors import ActionError
from apps.core.writes import require


class DescriptorInvalid(ActionError):
    """The descriptor has problems; ``problems`` lists every one with line and column."""

    code = "invalid_descriptor"

    def __init__(self, problems: list[Problem]):
        super().__init__(
            f"The descriptor has {len(problems)} problem(s).",
            errors=[(p.path or None, p.code, p.message) for p in problems],
        )
        self.problems = problems


#: ``hook(actor, data, slug, via)`` runs inside every apply's transaction, after the plan is
#: executed: upper apps (contracts: outputPorts[].contractId) read the fields they own.
_applied_hooks: list = []


def register_descriptor_hook(hook) -> None:
    if hook in _applied_hooks:
        raise ValueError(f"descriptor hook {hook!r} is already registered")
    _applied_hooks.append(hook)


@dataclass
class ApplyResult:
    """What applying (or previewing) a descriptor changed."""

    slug: str
    changes: list[Change] = field(default_factory=list)
    dry_run: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return bool(self.changes) and not self.dry_run

    def as_dict(self) -> dict:
        return {
            "product": self.slug,
            "dry_run": self.dry_run,
            "applied": self.applied,
            "changes": [c.as_dict() for c in self.changes],
            "warnings": list(self.warnings),
        }


def validate_descriptor(text: str, *, expected_slug: str | None = None) -> tuple[Parsed, Desired]:
    """Parse, check against the JSON Schema and resolve references; raises ``DescriptorInvalid``."""
    parsed = parse(text)
    if parsed.problems:
        raise DescriptorInvalid(parsed.problems)
    problems = []
    if expected_slug is not None and parsed.data["id"] != expected_slug:
        problems.append(
            parsed.locate(
                ("id",), "id_mismatch", f"The descriptor describes '{parsed.data['id']}', not '{expected_slug}'."
            )
        )
    desired, reference_problems = build_desired(parsed)
    problems += reference_problems
    if problems:
        raise DescriptorInvalid(problems)
    return parsed, desired


class DeletionsNeedConfirmation(ActionError):
    """Applying would delete ports that others use; review with a dry run, then confirm."""

    code = "confirm_deletions"


def _risky_deletions(current, changes) -> list[str]:
    """Warnings for ports the apply would delete although they have consumers or sample queries.

    A descriptor is declarative, so a port missing from the file is deleted — with the
    input ports consuming it and the curated sample queries on it. That is rarely meant.
    """
    deleted = {c.name for c in changes if c.kind == "port" and c.op == "delete"}
    warnings = []
    for (direction, name), port in sorted(current.ports.items()):
        if f"{direction}:{name}" not in deleted:
            continue
        consumers = port.consumer_ports.count()
        samples = len(current.sections.get("sampleQueries", {}).get(port.pk, {}))
        if consumers or samples:
            uses = [f"{consumers} consuming port(s)"] * bool(consumers) + [f"{samples} sample queries"] * bool(samples)
            warnings.append(f"Port {direction}:{name} would be deleted; it has {' and '.join(uses)}.")
    return warnings


def apply_descriptor(
    actor,
    text: str,
    *,
    dry_run: bool = False,
    expected_slug: str | None = None,
    via: str = "yaml",
    confirm_deletions: bool = False,
) -> ApplyResult:
    """Make the catalog match the descriptor (or, with ``dry_run``, only say what would change).

    Everything happens in one transaction: any refused step leaves the catalog unchanged.
    A dry run performs the changes and rolls them back, so it reports what the actions
    would refuse, too. Deleting ports that have consumers or sample queries needs
    ``confirm_deletions`` (the dry run lists them as warnings first).
    """
    parsed, desired = validate_descriptor(text, expected_slug=expected_slug)
    with transaction.atomic():
        current = read_current(desired.slug)
        if current.product is not None:
            require(
                can_edit_product(actor, current.product),
                f"You do not own data product '{desired.slug}'; ask one of its owners.",
            )
        else:
            require(
                can_edit_domain(actor, desired.domain),
                f"Only owners of domain '{desired.domain.slug}' create products in it.",
            )
        changes = plan(desired, current)
        warnings = _risky_deletions(current, changes)
        if warnings and not dry_run and not confirm_deletions:
            raise DeletionsNeedConfirmation(
                " ".join(warnings) + " Review the changes with a dry run, then apply again with confirm_deletions"
                " (REST: ?confirm_deletions=1, CLI: --confirm-deletions).",
                field="outputPorts",
            )
        if changes:
            execute(actor, desired, current, parsed, changes, via=via)
        for hook in _applied_hooks:
            hook(actor, parsed.data, desired.slug, via)
        if dry_run:
            transaction.set_rollback(True)
    return ApplyResult(slug=desired.slug, changes=changes, dry_run=dry_run, warnings=warnings)


def export_yaml(product) -> str:
    return dump_yaml(export_descriptor(product))


__all__ = [
    "ApplyResult",
    "DescriptorInvalid",
    "Problem",
    "apply_descriptor",
    "export_descriptor",
    "export_yaml",
    "register_descriptor_hook",
    "validate_descriptor",
]
