"""REST for contracts: ``GET|PUT /api/v1/contracts/<id>`` (YAML or JSON), versions, checks, impact.

GET answers the active version (else the newest): JSON with the parsed document and its
metadata, or with ``?format=yaml`` / ``Accept: application/yaml`` the YAML exactly as it was
submitted. PUT submits a version (``?port=product/port`` binds it, ``?dry_run=1`` only
answers what would change and for whom). Errors: ``{"errors": [{field, code, message,
line, column}]}`` with 400 (invalid), 403, 404 (unknown contract or port) or 409.
"""

import json

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers
from rest_framework.exceptions import ParseError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.api.descriptors import AltYAMLParser, PlainTextYAMLParser, YAMLTextParser
from apps.contracts import actions
from apps.contracts.api.serializers import (
    CheckRunSerializer,
    ImpactReportSerializer,
    VersionSerializer,
    contract_body,
)
from apps.contracts.drafts import draft_yaml
from apps.contracts.models import CheckRun, Contract, ContractVersion, ImpactEntry, ImpactReport
from mesh_catalog.api.parsers import StrictJSONParser


class ContractYAMLRenderer(renderers.BaseRenderer):
    """The contract's own text for GET; other bodies (results, errors) as YAML too."""

    media_type = "application/yaml"
    format = "yaml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        import yaml

        if isinstance(data, dict) and "text" in data and "errors" not in data:
            return data["text"].encode("utf-8")
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8")


def _flag(request, name) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")


def pick_version(contract: Contract, wanted: str | None) -> ContractVersion:
    versions = contract.versions.all()
    if wanted:
        return get_object_or_404(versions, version=wanted)
    version = versions.filter(status="active").first() or versions.first()
    if version is None:
        from apps.core.errors import NotFoundError

        raise NotFoundError(f"Contract '{contract.odcs_id}' has no version yet.", code="no_version")
    return version


PORT = OpenApiParameter("port", OpenApiTypes.STR, description="Bind to this output port: product-slug/port-name.")
DRY_RUN = OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="Only answer what would change; write nothing.")
VERSION = OpenApiParameter("version", OpenApiTypes.STR, description="A version (default: the active one).")


class ContractView(APIView):
    """One contract: read a version (JSON or the original YAML), or submit a new one."""

    parser_classes = [YAMLTextParser, AltYAMLParser, PlainTextYAMLParser, StrictJSONParser]
    renderer_classes = [renderers.JSONRenderer, ContractYAMLRenderer]

    @extend_schema(parameters=[VERSION], responses={200: OpenApiTypes.OBJECT})
    def get(self, request, odcs_id):
        contract = get_object_or_404(Contract.objects.select_related("port__product"), odcs_id=odcs_id)
        return Response(contract_body(contract, pick_version(contract, request.query_params.get("version"))))

    @extend_schema(
        request={"application/yaml": OpenApiTypes.STR, "application/json": OpenApiTypes.OBJECT},
        parameters=[PORT, DRY_RUN],
        responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT},
    )
    def put(self, request, odcs_id):
        text = request.data if isinstance(request.data, str) else json.dumps(request.data)
        if not text.strip():
            raise ParseError("The body is empty: send the contract as YAML or JSON.")
        port = actions.resolve_port(request.query_params["port"]) if request.query_params.get("port") else None
        result = actions.submit_contract(
            request.user, text, port=port, expected_id=odcs_id, dry_run=_flag(request, "dry_run"), via="rest"
        )
        created = not result.dry_run and not result.unchanged
        return Response(result.as_dict(), status=201 if created else 200)


class VersionsView(ListAPIView):
    """Every version of a contract, newest first (immutable; only the status moves)."""

    serializer_class = VersionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator has no URL kwargs
            return ContractVersion.objects.none()
        contract = get_object_or_404(Contract, odcs_id=self.kwargs["odcs_id"])
        return contract.versions.select_related("created_by").order_by("-major", "-minor", "-patch")


class VersionStatusView(APIView):
    """``POST {"status": "active"}``: move a version along its lifecycle."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: VersionSerializer})
    def post(self, request, odcs_id, version):
        contract = get_object_or_404(Contract, odcs_id=odcs_id)
        row = get_object_or_404(contract.versions, version=version)
        status = request.data.get("status") if isinstance(request.data, dict) else None
        if not isinstance(status, str):
            raise ParseError('Send {"status": "active" | "deprecated" | "retired" | ...}.')
        row = actions.set_status(request.user, row, status, via="rest")
        return Response(VersionSerializer(row).data)


class ChecksView(ListAPIView):
    """Check runs of a contract, newest first (``?verdict=violated``, ``?dataset=<id>``)."""

    serializer_class = CheckRunSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator has no URL kwargs
            return CheckRun.objects.none()
        contract = get_object_or_404(Contract, odcs_id=self.kwargs["odcs_id"])
        runs = CheckRun.objects.filter(contract=contract).select_related("version", "dataset")
        verdict = self.request.query_params.get("verdict")
        if verdict:
            runs = runs.filter(verdict=verdict)
        dataset = self.request.query_params.get("dataset")
        if dataset and dataset.isdigit():
            runs = runs.filter(dataset_id=int(dataset))
        return runs.order_by("-checked_at", "-id")


class ImpactView(ListAPIView):
    """Impact reports of a contract, newest first, each with its consumers."""

    serializer_class = ImpactReportSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator has no URL kwargs
            return ImpactReport.objects.none()
        contract = get_object_or_404(Contract, odcs_id=self.kwargs["odcs_id"])
        return ImpactReport.objects.filter(contract=contract).order_by("-created_at", "-id")


class AcknowledgeView(APIView):
    """``POST``: the consumer of an impact entry acknowledges the change."""

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, entry_id):
        entry = actions.acknowledge(request.user, get_object_or_404(ImpactEntry, pk=entry_id), via="rest")
        return Response({"id": entry.pk, "acknowledged_at": entry.acknowledged_at})


class DraftView(APIView):
    """A draft contract for an output port, from what was harvested (YAML)."""

    renderer_classes = [ContractYAMLRenderer, renderers.JSONRenderer]

    @extend_schema(responses={(200, "application/yaml"): OpenApiTypes.STR})
    def get(self, request, product, port):
        return Response({"text": draft_yaml(actions.resolve_port(f"{product}/{port}"))})
