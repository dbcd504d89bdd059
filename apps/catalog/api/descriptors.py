"""``GET|PUT /api/v1/products/{slug}/descriptor``: a product as code, over HTTP.

GET returns the descriptor (JSON, or YAML with ``?format=yaml`` / ``Accept:
application/yaml``); PUT applies a YAML (or JSON) descriptor — ``?dry_run=1`` only
returns the diff. Errors list every problem with its line and column.
"""

import json

import yaml
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import parsers, renderers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.descriptors import apply_descriptor, export_descriptor
from apps.catalog.descriptors.export import dump_yaml
from apps.catalog.models import DataProduct
from mesh_catalog.api.parsers import StrictJSONParser

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/plain")


class YAMLTextParser(parsers.BaseParser):
    """Hands the raw YAML text to the descriptor parser (which reports positions)."""

    media_type = "application/yaml"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            from rest_framework.exceptions import ParseError

            raise ParseError("The descriptor must be UTF-8 text.") from None


class PlainTextYAMLParser(YAMLTextParser):
    media_type = "text/*"


class AltYAMLParser(YAMLTextParser):
    media_type = "application/x-yaml"


class YAMLRenderer(renderers.BaseRenderer):
    """Renders a descriptor as YAML."""

    media_type = "application/yaml"
    format = "yaml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "errors" not in data:
            return dump_yaml(data).encode("utf-8")
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8")


DRY_RUN = OpenApiParameter(
    "dry_run", OpenApiTypes.BOOL, OpenApiParameter.QUERY, description="Only return the diff; change nothing."
)
CONFIRM_DELETIONS = OpenApiParameter(
    "confirm_deletions",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    description="Allow deleting ports that have consumers or sample queries (see a dry run's warnings first).",
)
APPLY_RESULT = {
    "type": "object",
    "properties": {
        "product": {"type": "string"},
        "dry_run": {"type": "boolean"},
        "applied": {"type": "boolean"},
        "warnings": {"type": "array", "items": {"type": "string"}},
        "changes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "op": {"type": "string"},
                    "kind": {"type": "string"},
                    "name": {"type": "string"},
                    "fields": {"type": "object"},
                },
            },
        },
    },
    "required": ["product", "dry_run", "applied", "changes"],
}


class DescriptorView(APIView):
    """A data product as code: read its descriptor, or apply one (creating the product if new)."""

    parser_classes = [YAMLTextParser, AltYAMLParser, PlainTextYAMLParser, StrictJSONParser]
    renderer_classes = [renderers.JSONRenderer, YAMLRenderer]

    @extend_schema(
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="The ODPS-shaped descriptor."),
            (200, "application/yaml"): OpenApiResponse(
                OpenApiTypes.STR, description="The descriptor as YAML (?format=yaml)."
            ),
        },
        description="The product as an ODPS-shaped descriptor (JSON; YAML with ?format=yaml).",
    )
    def get(self, request, slug):
        product = get_object_or_404(DataProduct.objects.select_related("domain").prefetch_related("tags"), slug=slug)
        return Response(export_descriptor(product))

    @extend_schema(
        request={"application/yaml": OpenApiTypes.STR, "application/json": OpenApiTypes.OBJECT},
        parameters=[DRY_RUN, CONFIRM_DELETIONS],
        responses={
            (200, "application/json"): OpenApiResponse(APPLY_RESULT, description="What changed (or would change)."),
            (200, "application/yaml"): OpenApiResponse(APPLY_RESULT, description="The same, as YAML."),
        },
        description="Apply a descriptor (YAML or JSON) to the product named in the URL: idempotent, all or nothing.",
    )
    def put(self, request, slug):
        text = request.data if isinstance(request.data, str) else json.dumps(request.data)
        dry_run = request.query_params.get("dry_run", "").lower() in ("1", "true", "yes")
        confirm = request.query_params.get("confirm_deletions", "").lower() in ("1", "true", "yes")
        result = apply_descriptor(
            request.user, text, dry_run=dry_run, expected_slug=slug, via="rest", confirm_deletions=confirm
        )
        return Response(result.as_dict())
