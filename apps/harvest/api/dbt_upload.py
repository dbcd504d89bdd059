"""``POST /api/v1/sources/<name>/dbt-artifacts``: CI uploads a dbt build's artifacts.

Multipart form with the files ``manifest.json`` (required), ``catalog.json``,
``run_results.json``, ``sources.json`` (field name = file name; a field named after the
artifact without ``.json`` works too). Authenticated like the rest of the API (a personal
access token: ``Authorization: Bearer <token>``); the token's user must be allowed to
manage sources (a platform admin). Add ``?harvest=false`` to store without harvesting.

    curl -H "Authorization: Bearer $MESH_TOKEN" \\
         -F manifest.json=@target/manifest.json -F catalog.json=@target/catalog.json \\
         -F run_results.json=@target/run_results.json \\
         https://catalog.example.com/api/v1/sources/shop-dbt/dbt-artifacts
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.errors import ActionError, NotFoundError
from apps.harvest.actions import upload_dbt_artifacts
from apps.harvest.models import Source
from apps.harvest.uploads import ARTIFACT_FILES
from mesh_catalog.api.parsers import StrictMultiPartParser

UploadResult = inline_serializer(
    "DbtArtifactsUploaded",
    {
        "source": serializers.CharField(),
        "files": serializers.DictField(child=serializers.IntegerField(), help_text="File → schema version."),
        "invocation_id": serializers.CharField(),
        "run": serializers.IntegerField(allow_null=True),
    },
)


class DbtArtifactsUploadView(APIView):
    """Replace a dbt source's artifacts with an uploaded set (atomically) and queue a harvest."""

    parser_classes = [StrictMultiPartParser]

    @extend_schema(
        operation_id="upload_dbt_artifacts",
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {name: {"type": "string", "format": "binary"} for name in ARTIFACT_FILES},
                "required": ["manifest.json"],
            }
        },
        parameters=[OpenApiParameter("harvest", bool, description="Queue a harvest after storing (default true).")],
        responses={201: UploadResult},
    )
    def post(self, request, name: str):
        source = Source.objects.filter(name=name).first()
        if source is None:
            raise NotFoundError(f"No source named '{name}'.", field="name")
        files = {}
        for field, upload in request.FILES.items():
            filename = field if field.endswith(".json") else f"{field}.json"
            files[filename] = upload
        if not files:
            raise ActionError(
                f"Send the artifacts as multipart files named {', '.join(ARTIFACT_FILES)}.",
                field="manifest.json",
                code="required",
            )
        harvest = request.query_params.get("harvest", "true").lower() not in ("0", "false", "no")
        stored, run = upload_dbt_artifacts(request.user, source, files, harvest=harvest, via="rest")
        body = {
            "source": source.name,
            "files": stored.versions,
            "invocation_id": stored.invocation_id,
            "run": run.pk if run else None,
        }
        return Response(body, status=status.HTTP_201_CREATED)
