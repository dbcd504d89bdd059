"""``POST /api/v1/lineage``: the OpenLineage HTTP transport's default endpoint.

Point an OpenLineage client (Airflow, Spark, dbt-ol, ...) at the catalog::

    OPENLINEAGE_URL=https://catalog.example.com  OPENLINEAGE_API_KEY=<admin token>

(the client posts to ``/api/v1/lineage`` with ``Authorization: Bearer <key>``). A new event
answers 201 with what it wrote; a repeat of the same run id and event type answers 200
and writes nothing; a malformed event answers 400 naming the field and the problem.
"""

from drf_spectacular.utils import OpenApiTypes, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.harvest.openlineage.actions import receive_run_event
from mesh_catalog.api.parsers import StrictJSONParser

EventAccepted = inline_serializer(
    "LineageEventAccepted",
    {
        "status": serializers.ChoiceField(choices=["accepted", "duplicate"]),
        "run_id": serializers.CharField(),
        "event_type": serializers.CharField(),
        "summary": serializers.DictField(),
    },
)


class OpenLineageView(APIView):
    """Accept one OpenLineage RunEvent: its datasets, lineage, schema and column lineage."""

    parser_classes = [StrictJSONParser]

    @extend_schema(
        operation_id="post_openlineage_event",
        request=OpenApiTypes.OBJECT,
        responses={201: EventAccepted, 200: EventAccepted},
    )
    def post(self, request):
        event, created = receive_run_event(request.user, request.data, via="rest")
        body = {
            "status": "accepted" if created else "duplicate",
            "run_id": event.run_id,
            "event_type": event.event_type,
            "summary": event.summary,
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
