"""GraphQL of data contracts: contracts, versions, check runs, impact reports; submit, status, acknowledge.

Compose with ``class Query(ContractsQuery, …)`` and ``class Mutation(ContractsMutation, …)``.
Lists are fetched with their children in a fixed number of queries (prefetch per list).
"""

import graphene
from django.db.models import Prefetch

from apps.contracts import actions
from apps.contracts.api.serializers import export_text
from apps.contracts.models import CheckRun, Contract, ContractVersion, ImpactEntry, ImpactReport
from apps.core.errors import NotFoundError
from mesh_catalog.graphql.mutations import VIA, ActionMutation

MAX_ROWS = 200


class ContractVersionType(graphene.ObjectType):
    """One immutable version of a contract; only its status moves."""

    class Meta:
        name = "ContractVersion"

    version = graphene.String(required=True)
    status = graphene.String(required=True, description="draft | proposed | active | deprecated | retired")
    level = graphene.String(required=True, description="major, minor or patch against the previous version")
    changes = graphene.JSONString(required=True)
    api_version = graphene.String(required=True)
    yaml = graphene.String(required=True, description="The text as submitted (status value updated if it moved).")
    created_at = graphene.DateTime(required=True)

    def resolve_yaml(version, info):
        return export_text(version)


class CheckRunType(graphene.ObjectType):
    """One check of one dataset against a contract version (appended, never overwritten)."""

    class Meta:
        name = "ContractCheckRun"

    id = graphene.ID(required=True)
    object_name = graphene.String(required=True)
    dataset_id = graphene.ID()
    trigger = graphene.String(required=True)
    verdict = graphene.String(required=True, description="met | violated | unknown")
    met_count = graphene.Int(required=True)
    violated_count = graphene.Int(required=True)
    clauses = graphene.JSONString(required=True, description="The clauses not met, with evidence.")
    checked_at = graphene.DateTime(required=True)


class ImpactEntryType(graphene.ObjectType):
    """A consumer of a breaking change: affected or informed; acknowledged or not."""

    class Meta:
        name = "ImpactEntry"

    id = graphene.ID(required=True)
    kind = graphene.String(required=True)
    level = graphene.String(required=True)
    product = graphene.String()
    dataset = graphene.String()
    user = graphene.String()
    columns = graphene.List(graphene.NonNull(graphene.String), required=True)
    reason = graphene.String(required=True)
    acknowledged_at = graphene.DateTime()

    def resolve_product(entry, info):
        return entry.product.slug if entry.product_id else None

    def resolve_dataset(entry, info):
        return entry.dataset.name if entry.dataset_id else None

    def resolve_user(entry, info):
        return entry.user.get_username() if entry.user_id else None


class ImpactReportType(graphene.ObjectType):
    """Who a breaking change (harvested or proposed) touches."""

    class Meta:
        name = "ImpactReport"

    id = graphene.ID(required=True)
    trigger = graphene.String(required=True)
    changes = graphene.JSONString(required=True)
    affected_count = graphene.Int(required=True)
    informed_count = graphene.Int(required=True)
    created_at = graphene.DateTime(required=True)
    entries = graphene.List(graphene.NonNull(ImpactEntryType), required=True)

    def resolve_entries(report, info):
        return report.entries.all()


class ContractType(graphene.ObjectType):
    """An ODCS data contract bound to an output port."""

    class Meta:
        name = "Contract"

    odcs_id = graphene.String(required=True)
    name = graphene.String(required=True)
    port = graphene.String(description="product-slug/port-name")
    versions = graphene.List(graphene.NonNull(ContractVersionType), required=True)
    active_version = graphene.Field(ContractVersionType)
    checks = graphene.List(graphene.NonNull(CheckRunType), required=True, first=graphene.Int(default_value=20))
    impact_reports = graphene.List(
        graphene.NonNull(ImpactReportType), required=True, first=graphene.Int(default_value=5)
    )

    def resolve_port(contract, info):
        return f"{contract.port.product.slug}/{contract.port.name}" if contract.port_id else None

    def resolve_versions(contract, info):
        return sorted(contract.versions.all(), key=lambda v: v.semver, reverse=True)

    def resolve_active_version(contract, info):
        return next((v for v in contract.versions.all() if v.status == "active"), None)

    def resolve_checks(contract, info, first=20):
        return CheckRun.objects.filter(contract=contract).order_by("-checked_at", "-id")[: max(1, min(first, MAX_ROWS))]

    def resolve_impact_reports(contract, info, first=5):
        entries = Prefetch("entries", queryset=ImpactEntry.objects.select_related("product", "dataset", "user"))
        return ImpactReport.objects.filter(contract=contract).prefetch_related(entries)[: max(1, min(first, 50))]


def _contracts():
    return Contract.objects.select_related("port__product").prefetch_related(
        Prefetch("versions", queryset=ContractVersion.objects.order_by("-major", "-minor", "-patch"))
    )


class ContractsQuery(graphene.ObjectType):
    """Data contracts."""

    contract = graphene.Field(ContractType, id=graphene.String(required=True, description="The ODCS id."))
    contracts = graphene.List(
        graphene.NonNull(ContractType), required=True, product=graphene.String(description="Product slug.")
    )

    def resolve_contract(root, info, id):
        return _contracts().filter(odcs_id=id).first()

    def resolve_contracts(root, info, product=None):
        qs = _contracts().order_by("odcs_id")
        if product:
            qs = qs.filter(port__product__slug=product)
        return qs[:MAX_ROWS]


class SubmitContract(ActionMutation):
    """Submit an ODCS contract (YAML or JSON text) as a new immutable version; ``dryRun`` only previews."""

    class Arguments:
        text = graphene.String(required=True)
        port = graphene.String(description="Bind to this output port: product-slug/port-name.")
        dry_run = graphene.Boolean(default_value=False)

    contract = graphene.Field(ContractType)
    result = graphene.JSONString(description="version, level, breaking, changes and the impact summary")

    @classmethod
    def perform(cls, info, target, text, port=None, dry_run=False, **args):
        found = actions.resolve_port(port) if port else None
        result = actions.submit_contract(info.context.user, text, port=found, dry_run=dry_run, via=VIA)
        contract = None if dry_run else _contracts().get(pk=result.contract.pk)
        return {"contract": contract, "result": result.as_dict()}


class SetContractStatus(ActionMutation):
    """Move a version along draft → proposed → active → deprecated → retired."""

    class Arguments:
        id = graphene.String(required=True)
        version = graphene.String(required=True)
        status = graphene.String(required=True)

    version = graphene.Field(ContractVersionType)

    @classmethod
    def get_target(cls, info, id, version, **args):
        found = ContractVersion.objects.filter(contract__odcs_id=id, version=version).first()
        if found is None:
            raise NotFoundError(f"No version {version} of contract '{id}'.", field="version")
        return found

    @classmethod
    def perform(cls, info, target, status, **args):
        return {"version": actions.set_status(info.context.user, target, status, via=VIA)}


class AcknowledgeImpact(ActionMutation):
    """A consumer acknowledges a breaking change that affects or informs them."""

    class Arguments:
        entry = graphene.ID(required=True)

    entry = graphene.Field(ImpactEntryType)

    @classmethod
    def get_target(cls, info, entry, **args):
        found = ImpactEntry.objects.filter(pk=entry).first() if str(entry).isdigit() else None
        if found is None:
            raise NotFoundError(f"No impact entry '{entry}'.", field="entry")
        return found

    @classmethod
    def perform(cls, info, target, **args):
        return {"entry": actions.acknowledge(info.context.user, target, via=VIA)}


class ContractsMutation(graphene.ObjectType):
    submit_contract = SubmitContract.Field()
    set_contract_status = SetContractStatus.Field()
    acknowledge_impact = AcknowledgeImpact.Field()
