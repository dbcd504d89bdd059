"""Read shapes of contracts, versions, check runs and impact reports."""

from rest_framework import serializers

from apps.contracts.models import CheckRun, Contract, ContractVersion, ImpactEntry, ImpactReport


def contract_body(contract: Contract, version: ContractVersion) -> dict:
    port = contract.port
    return {
        "id": contract.odcs_id,
        "name": contract.name,
        "port": f"{port.product.slug}/{port.name}" if port else None,
        "version": version.version,
        "status": version.status,
        "level": version.level,
        "changes": version.changes,
        "document": version.document,
        "text": export_text(version),
    }


def export_text(version: ContractVersion) -> str:
    """The submitted text; if its status moved since, only the ``status`` value is rewritten."""
    from apps.contracts import odcs

    if version.document.get("status") == version.status:
        return version.text
    return odcs.with_status(odcs.parse(version.text), version.status)


class VersionSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None)

    class Meta:
        model = ContractVersion
        fields = [
            "version",
            "status",
            "level",
            "changes",
            "api_version",
            "created_by",
            "created_via",
            "created_at",
            "status_changed_at",
        ]


class CheckRunSerializer(serializers.ModelSerializer):
    version = serializers.CharField(source="version.version")
    dataset = serializers.SerializerMethodField()

    class Meta:
        model = CheckRun
        fields = [
            "id",
            "version",
            "dataset",
            "object_name",
            "trigger",
            "verdict",
            "met_count",
            "violated_count",
            "clauses",
            "checked_at",
        ]

    def get_dataset(self, run) -> dict | None:
        d = run.dataset
        return {"id": d.pk, "namespace": d.namespace, "name": d.name} if d else None


class ImpactEntrySerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="product.slug", default=None)
    dataset = serializers.CharField(source="dataset.name", default=None)
    user = serializers.CharField(source="user.username", default=None)

    class Meta:
        model = ImpactEntry
        fields = ["id", "kind", "level", "product", "dataset", "user", "columns", "reason", "acknowledged_at"]


class ImpactReportSerializer(serializers.ModelSerializer):
    entries = serializers.SerializerMethodField()

    class Meta:
        model = ImpactReport
        fields = ["id", "trigger", "changes", "affected_count", "informed_count", "created_at", "entries"]

    def get_entries(self, report) -> list:
        rows = report.entries.select_related("product", "dataset", "user")[:500]
        return ImpactEntrySerializer(rows, many=True).data
