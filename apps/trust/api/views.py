"""``/api/v1/``: a product's explained maturity, the leaderboard, incidents (read; owners open and resolve)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.models import DataProduct, Domain
from apps.trust import actions
from apps.trust.api.serializers import (
    IncidentInputSerializer,
    IncidentResolveSerializer,
    IncidentSerializer,
    LeaderboardRowSerializer,
    MaturitySerializer,
)
from apps.trust.models import Incident, ProductMaturity
from apps.trust.scoring import explain, recompute

MAX_INCIDENTS = 200


class ProductMaturityView(APIView):
    """The product's DATSIS score: principles, each criterion with evidence and fix, next actions."""

    @extend_schema(responses={200: MaturitySerializer}, description="The explained maturity score of a product.")
    def get(self, request, slug):
        product = get_object_or_404(DataProduct.objects.only("id"), slug=slug)
        maturity = ProductMaturity.objects.filter(product=product).first()
        if maturity is None:  # never scored (created before the app, or a listener missed it)
            recompute([product.pk])
            maturity = ProductMaturity.objects.get(product=product)
        return Response(MaturitySerializer(explain(maturity)).data)


class LeaderboardView(ListAPIView):
    """Every scored product, best first; filter by ``level`` and ``domain`` (its subtree)."""

    serializer_class = LeaderboardRowSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("level", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Only this level."),
            OpenApiParameter(
                "domain", OpenApiTypes.STR, OpenApiParameter.QUERY, description="A domain slug (and its sub-domains)."
            ),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        from rest_framework.exceptions import ValidationError

        rows = ProductMaturity.objects.select_related("product__domain").order_by("-score", "product__slug")
        level = self.request.query_params.get("level")
        if level not in (None, ""):
            if not level.isdigit() or len(level) > 3:
                raise ValidationError({"level": "Give a level number."})
            rows = rows.filter(level=int(level))
        slug = self.request.query_params.get("domain")
        if slug:
            domain = Domain.objects.filter(slug=slug[:100]).first()
            if domain is None:
                raise ValidationError({"domain": f"No domain {slug[:100]!r}."})
            rows = rows.filter(product__domain__path__startswith=domain.path)
        return rows


class ProductIncidentsView(APIView):
    """A product's incidents, open first then the latest; owners open new ones."""

    @extend_schema(
        parameters=[OpenApiParameter("state", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=["open", "resolved"])],
        responses={200: IncidentSerializer(many=True)},
        description=f"The product's incidents (at most {MAX_INCIDENTS}), each with its timeline.",
    )
    def get(self, request, slug):
        product = get_object_or_404(DataProduct.objects.only("id"), slug=slug)
        incidents = Incident.objects.filter(product=product).select_related("product").prefetch_related("updates")
        state = request.query_params.get("state")
        if state == "open":
            incidents = incidents.filter(resolved_at__isnull=True)
        elif state == "resolved":
            incidents = incidents.filter(resolved_at__isnull=False)
        elif state:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"state": "state is open or resolved."})
        incidents = incidents.order_by("-resolved_at", "-opened_at")[:MAX_INCIDENTS]
        return Response(IncidentSerializer(incidents, many=True).data)

    @extend_schema(
        request=IncidentInputSerializer, responses={201: IncidentSerializer}, description="Open an incident (owners)."
    )
    def post(self, request, slug):
        product = get_object_or_404(DataProduct.objects.select_related("domain"), slug=slug)
        data = IncidentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = actions.open_incident(request.user, product, via="rest", **data.validated_data)
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)


class IncidentResolveView(APIView):
    """Resolve an open incident (owners)."""

    @extend_schema(request=IncidentResolveSerializer, responses={200: IncidentSerializer})
    def post(self, request, pk):
        incident = get_object_or_404(Incident.objects.select_related("product__domain"), pk=pk)
        data = IncidentResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resolved = actions.resolve_incident(request.user, incident, via="rest", **data.validated_data)
        return Response(IncidentSerializer(resolved).data)
