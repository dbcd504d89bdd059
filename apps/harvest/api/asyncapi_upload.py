"""``POST /api/v1/sources/<name>/asyncapi-documents``: CI uploads a service's AsyncAPI documents.

Multipart form, one file per field, the field named by the file's path inside the set
(``orders.yaml``, ``schemas/order_placed.avsc``) so that relative ``$ref``\\ s resolve. The
set replaces the previous one atomically once every document parses. An admin's token
(``Authorization: Bearer <token>``); ``?harvest=false`` stores without harvesting.

    curl -H "Authorization: Bearer $MESH_TOKEN" \\
         -F orders.yaml=@asyncapi/orders.yaml -F schemas/order_placed.avsc=@asyncapi/schemas/order_placed.avsc \\
         https://catalog.example.com/api/v1/sources/events/asyncapi-documents
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.errors import NotFoundError
from apps.harvest.actions import upload_asyncapi_documents
from apps.harvest.models import Source

UploadResult = inline_serializer(
    "AsyncAPIDocumentsUploaded",
    {
        "source": serializers.CharField(),
        "documents": serializers.ListField(child=serializers.CharField()),
        "channels": serializers.IntegerField(),
        "run": serializers.IntegerField(allow_null=True),
    },
)


class AsyncAPIDocumentsUploadView(APIView):
    """Replace an asyncapi source's documents with an uploaded set (atomically) and queue a harvest."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="upload_asyncapi_documents",
        request={
            "multipart/form-data": {"type": "object", "additionalProperties": {"type": "string", "format": "binary"}}
        },
        parameters=[OpenApiParameter("harvest", bool, description="Queue a harvest after storing (default true).")],
        responses={201: UploadResult},
    )
    def post(self, request, name: str):
        source = Source.objects.filter(name=name).first()
        if source is None:
            raise NotFoundError(f"No source named '{name}'.", field="name")
        harvest = request.query_params.get("harvest", "true").lower() not in ("0", "false", "no")
        stored, run = upload_asyncapi_documents(request.user, source, dict(request.FILES.items()), harvest=harvest)
        body = {
            "source": source.name,
            "documents": stored.documents,
            "channels": stored.channels,
            "run": run.pk if run else None,
        }
        return Response(body, status=status.HTTP_201_CREATED)
