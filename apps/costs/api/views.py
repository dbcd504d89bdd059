"""REST for costs: a product's costs, the unattributed list, billing uploads."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.models import DataProduct
from apps.core.actors import is_admin
from apps.costs import actions, reports

MAX_MONTHS = 36


def _months(request) -> int:
    raw = request.query_params.get("months", "12")
    try:
        months = int(raw)
    except ValueError:
        raise ValidationError({"months": f"months must be a whole number from 1 to {MAX_MONTHS}."}) from None
    if not 1 <= months <= MAX_MONTHS:
        raise ValidationError({"months": f"months must be a whole number from 1 to {MAX_MONTHS}."})
    return months


class ProductCostsView(APIView):
    """Measured cost of a product per month and currency, by service and basis, with the manual estimate."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("months", int, description="Months back, 1–36 (default 12).")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, slug):
        product = get_object_or_404(DataProduct, slug=slug)
        report = reports.product_costs(product, months=_months(request))
        consumers = reports.cost_per_consumer(product)
        body = {"product": product.slug, **report.as_dict()}
        body["manual"] = (
            {"amount": str(product.cost_per_month), "currency": product.cost_currency}
            if product.cost_per_month is not None
            else None
        )
        body["per_query"] = {c: str(a) for c, a in consumers["per_query"].items()}
        body["lab_runs_this_month"] = consumers["runs"]
        return Response(body)


class UnattributedView(APIView):
    """Cost no product or domain claims (admins): totals per currency, per source and service, and the largest lines."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("months", int, description="Months back, 1–36 (default 12).")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        if not is_admin(request.user):
            raise PermissionDenied("Only the platform team sees unattributed billing lines.")
        data = reports.unattributed(months=_months(request))
        return Response(
            {
                "totals": {c: str(a) for c, a in data["totals"].items()},
                "line_count": data["line_count"],
                "by_service": [{**row, "total": str(row["total"])} for row in data["by_service"]],
                "lines": [
                    {**line, "month": line["month"].isoformat()[:7], "effective_cost": str(line["effective_cost"])}
                    for line in data["lines"]
                ],
            }
        )


class CostImportView(APIView):
    """Upload a billing export (multipart: ``file``, ``format`` focus|cur, ``source``); admins only."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT})
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": "Attach the billing file as the multipart field 'file'."})
        result = actions.import_costs(
            request.user,
            upload.file,
            fmt=request.data.get("format", "focus"),
            source_name=request.data.get("source", ""),
            file_name=upload.name,
            size=upload.size,
        )
        body = {
            "id": result.pk,
            "status": result.status,
            "lines": result.line_count,
            "periods": result.periods,
            "totals": result.totals,
            "attributed": result.attributed,
            "warnings": result.warnings,
        }
        if result.status != "succeeded":
            return Response({"errors": result.errors, **body}, status=status.HTTP_400_BAD_REQUEST)
        return Response(body, status=status.HTTP_201_CREATED)
