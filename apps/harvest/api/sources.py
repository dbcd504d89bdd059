"""REST API of harvest sources and runs: list and read (secrets never), trigger a harvest.

Only the names of the secrets a source holds are shown (``secret_keys``), never values.
Registered on the ``/api/v1/`` router by ``apps.harvest.api.urls.register``; the dbt-artifact
upload and OpenLineage intake are beside it in this package.
"""

from django.db.models import OuterRef, Subquery
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.actors import is_admin
from apps.harvest.models import HarvestRun, RunStatus, Source


class HarvestRunSerializer(serializers.ModelSerializer):
    """A harvest run's status, timings and bounded report."""

    source = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = HarvestRun
        fields = [
            "id",
            "source",
            "status",
            "triggered_by",
            "queued_at",
            "started_at",
            "finished_at",
            "timings",
            "counts",
            "warnings",
            "errors",
        ]


class SourceSerializer(serializers.ModelSerializer):
    """A source without its secrets: ``secret_keys`` says which ones are set.

    ``config`` (DSNs, hosts, roles, paths) and ``mapping_rules`` are for admins only; others get null.
    """

    config = serializers.JSONField(read_only=True, allow_null=True)
    mapping_rules = serializers.JSONField(read_only=True, allow_null=True)
    secret_keys = serializers.ListField(child=serializers.CharField(), read_only=True)
    last_run_status = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Source
        fields = [
            "id",
            "name",
            "kind",
            "description",
            "config",
            "secret_keys",
            "mapping_rules",
            "schedule",
            "enabled",
            "last_run_status",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not is_admin(getattr(request, "user", None)):
            data["config"] = data["mapping_rules"] = None
        return data


class SourceViewSet(viewsets.ReadOnlyModelViewSet):
    """Configured sources (read-only here; the platform team edits them in the harvest pages)."""

    serializer_class = SourceSerializer
    lookup_field = "name"
    filterset_fields = ["kind", "enabled"]

    def get_queryset(self):
        last_status = (
            HarvestRun.objects.filter(source=OuterRef("pk")).order_by("-queued_at", "-id").values("status")[:1]
        )
        return Source.objects.annotate(last_run_status=Subquery(last_status)).order_by("name")

    @extend_schema(request=None, responses={202: HarvestRunSerializer})
    @action(detail=True, methods=["post"], serializer_class=HarvestRunSerializer)
    def harvest(self, request, name=None):
        """Queue a harvest of this source (platform admins); returns the run to poll."""
        from apps.harvest.actions import trigger_harvest

        run = trigger_harvest(request.user, self.get_object())
        return Response(HarvestRunSerializer(run).data, status=202)


class HarvestRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Harvest runs, newest first: poll one for its status."""

    queryset = HarvestRun.objects.select_related("source").order_by("-queued_at", "-id")
    serializer_class = HarvestRunSerializer
    filterset_fields = ["source", "status"]


__all__ = ["HarvestRunViewSet", "RunStatus", "SourceViewSet"]
