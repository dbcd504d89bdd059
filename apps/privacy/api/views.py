"""REST of the privacy app: classifications, decisions, conflicts, the finder, forget requests.

Every write calls ``apps.privacy.actions``; errors answer ``{"errors": [...]}`` through the
API's exception handler (never HTML, never a 500). Inputs are bounded by the serializers.
"""

import csv
import io

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.models import Column, Dataset
from apps.core.errors import ActionError, NotFoundError
from apps.privacy import actions, serialize
from apps.privacy.categories import Category
from apps.privacy.conflicts import conflicts_by_domain
from apps.privacy.finder import find, identifier_types
from apps.privacy.models import AnonymisedColumn, ColumnClassification, ForgetRequest, ForgetTask, State
from mesh_catalog.api.pagination import MeshPagination

VIA = "rest"
CLASSIFICATION_RELATED = ("column", "decided_by")


def _valid(serializer_class, data) -> dict:
    s = serializer_class(data=data)
    s.is_valid(raise_exception=True)
    return s.validated_data


class DecisionIn(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["confirm", "reject"])


class ClassifyIn(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.values)


class AnonymisedIn(serializers.Serializer):
    dataset = serializers.IntegerField(min_value=1)
    column = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    method = serializers.ChoiceField(choices=AnonymisedColumn.Method.values)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ForgetIn(serializers.Serializer):
    identifier_type = serializers.ChoiceField(choices=sorted(identifier_types()))
    reference = serializers.CharField(max_length=200)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class TaskIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=ForgetTask.Status.values)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class FinderParams(serializers.Serializer):
    value = serializers.CharField(max_length=500, required=False, allow_blank=False)


class SuggestionParams(serializers.Serializer):
    state = serializers.ChoiceField(choices=State.values, required=False)
    category = serializers.ChoiceField(choices=Category.values, required=False)
    domain = serializers.SlugField(max_length=100, required=False)
    dataset = serializers.IntegerField(min_value=1, required=False)


class DatasetClassificationsView(APIView):
    """``GET /api/v1/datasets/<id>/classifications/``: every column's categories and states."""

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, operation_id="privacy_dataset_classifications_get")
    def get(self, request, pk):
        dataset = get_object_or_404(Dataset, pk=pk)
        rows = (
            ColumnClassification.objects.filter(column__dataset=dataset)
            .select_related(*CLASSIFICATION_RELATED)
            .order_by("column__ordinal", "column__name", "category")
        )
        return Response(
            {
                "dataset": {"id": dataset.pk, "name": dataset.name, "namespace": dataset.namespace},
                "results": [serialize.classification(c) for c in rows],
            }
        )


class SuggestionListView(APIView):
    """``GET /api/v1/privacy/classifications/?state=&category=&domain=&dataset=`` (paginated)."""

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, operation_id="privacy_suggestion_list_get")
    def get(self, request):
        params = _valid(SuggestionParams, request.query_params)
        rows = ColumnClassification.objects.select_related(*CLASSIFICATION_RELATED).order_by("-confidence", "id")
        if "state" in params:
            rows = rows.filter(state=params["state"])
        if "category" in params:
            rows = rows.filter(category=params["category"])
        if "domain" in params:
            rows = rows.filter(column__dataset__domain__slug=params["domain"])
        if "dataset" in params:
            rows = rows.filter(column__dataset_id=params["dataset"])
        paginator = MeshPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response([serialize.classification(c) for c in page])


class DecisionView(APIView):
    """``POST /api/v1/privacy/classifications/<id>/decision/`` with ``{"decision": "confirm"|"reject"}``."""

    @extend_schema(request=DecisionIn, responses=OpenApiTypes.OBJECT, operation_id="privacy_decision_post")
    def post(self, request, pk):
        data = _valid(DecisionIn, request.data)
        row = get_object_or_404(ColumnClassification, pk=pk)
        row = actions.decide(request.user, row, data["decision"], via=VIA)
        row = ColumnClassification.objects.select_related(*CLASSIFICATION_RELATED).get(pk=row.pk)
        return Response(serialize.classification(row))


class ColumnClassifyView(APIView):
    """``POST /api/v1/privacy/columns/<id>/classifications/`` with ``{"category": …}`` (confirmed)."""

    @extend_schema(
        request=ClassifyIn, responses={201: OpenApiTypes.OBJECT}, operation_id="privacy_column_classify_post"
    )
    def post(self, request, pk):
        data = _valid(ClassifyIn, request.data)
        column = get_object_or_404(Column.objects.select_related("dataset__domain"), pk=pk)
        row = actions.classify_column(request.user, column, data["category"], via=VIA)
        row = ColumnClassification.objects.select_related(*CLASSIFICATION_RELATED).get(pk=row.pk)
        return Response(serialize.classification(row), status=status.HTTP_201_CREATED)


class AnonymisedView(APIView):
    """``POST /api/v1/privacy/anonymised/``: mark a column (or dataset) as anonymising."""

    @extend_schema(request=AnonymisedIn, responses={201: OpenApiTypes.OBJECT}, operation_id="privacy_anonymised_post")
    def post(self, request):
        data = _valid(AnonymisedIn, request.data)
        dataset = get_object_or_404(Dataset.objects.select_related("domain"), pk=data["dataset"])
        column = None
        if data.get("column"):
            column = Column.objects.filter(pk=data["column"], dataset=dataset).first()
            if column is None:
                raise NotFoundError("No such column in this dataset.")
        marker = actions.mark_anonymised(
            request.user, dataset, column=column, method=data["method"], comment=data["comment"], via=VIA
        )
        return Response(
            {"id": marker.pk, "dataset": dataset.pk, "column": marker.column_id, "method": marker.method},
            status=status.HTTP_201_CREATED,
        )


class ConflictListView(APIView):
    """``GET /api/v1/privacy/conflicts/``: open classification conflicts grouped by domain."""

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, operation_id="privacy_conflict_list_get")
    def get(self, request):
        return Response(
            {
                "domains": [
                    {
                        "domain": {"slug": g["domain"].slug, "name": g["domain"].name},
                        "conflicts": [serialize.conflict(c) for c in g["conflicts"]],
                    }
                    for g in conflicts_by_domain()
                ]
            }
        )


class SubjectTypesView(APIView):
    """``GET /api/v1/privacy/subjects/``: the identifier types the finder accepts."""

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, operation_id="privacy_subject_types_get")
    def get(self, request):
        return Response({"identifier_types": identifier_types()})


class SubjectFinderView(APIView):
    """``GET /api/v1/privacy/subjects/<identifier type>/?value=``: where that identifier lives."""

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, operation_id="privacy_subject_finder_get")
    def get(self, request, identifier_type):
        params = _valid(FinderParams, request.query_params)
        return Response(find(identifier_type, value=params.get("value")))


def _visible_request(user, pk) -> ForgetRequest:
    from apps.privacy.actions.forget import can_see_request

    request = get_object_or_404(ForgetRequest.objects.select_related("requested_by"), pk=pk)
    if not can_see_request(user, request):
        raise PermissionDenied("Only privacy officers and the owners of a product with a task see this request.")
    return request


def _tasks(request):
    return list(request.tasks.select_related("product", "done_by").order_by("product_name"))


class ForgetRequestListView(APIView):
    """``GET`` (officers: all; owners: those with a task of theirs) and ``POST`` a new request."""

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, operation_id="privacy_forget_request_list_get")
    def get(self, request):
        from apps.catalog.permissions import editable_products
        from apps.privacy.actions.forget import can_open_requests

        rows = ForgetRequest.objects.select_related("requested_by").order_by("-created_at")
        if not can_open_requests(request.user):
            rows = rows.filter(tasks__product__in=editable_products(request.user)).distinct()
        paginator = MeshPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        tasks = ForgetTask.objects.select_related("product", "done_by").order_by("product_name")
        prefetch_related_objects(page, Prefetch("tasks", queryset=tasks))
        return paginator.get_paginated_response([serialize.forget_request(r) for r in page])

    @extend_schema(
        request=ForgetIn, responses={201: OpenApiTypes.OBJECT}, operation_id="privacy_forget_request_list_post"
    )
    def post(self, request):
        data = _valid(ForgetIn, request.data)
        created = actions.open_request(request.user, via=VIA, **data)
        return Response(serialize.forget_request(created, tasks=_tasks(created)), status=status.HTTP_201_CREATED)


class ForgetRequestDetailView(APIView):
    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, operation_id="privacy_forget_request_detail_get")
    def get(self, request, pk):
        r = _visible_request(request.user, pk)
        return Response(serialize.forget_request(r, tasks=_tasks(r)))


class ForgetRequestExportView(APIView):
    """``GET /api/v1/privacy/forget-requests/<id>/export/?format=csv|json``."""

    def perform_content_negotiation(self, request, force=False):
        # ``format`` names the export here, not one of DRF's renderers
        renderer = self.get_renderers()[0]
        return renderer, renderer.media_type

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT, operation_id="privacy_forget_request_export_get")
    def get(self, request, pk):
        r = _visible_request(request.user, pk)
        fmt = request.query_params.get("format", "json")
        tasks = _tasks(r)
        if fmt == "json":
            response = Response(serialize.forget_request(r, tasks=tasks))
            response["Content-Disposition"] = f'attachment; filename="forget-request-{r.pk}.json"'
            return response
        if fmt != "csv":
            raise ActionError("Export as csv or json.", field="format", code="invalid_choice")
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=serialize.CSV_FIELDS)
        writer.writeheader()
        writer.writerows(serialize.csv_rows(r, tasks))
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="forget-request-{r.pk}.csv"'
        return response


class ForgetTaskView(APIView):
    """``PATCH /api/v1/privacy/forget-tasks/<id>/`` with ``{"status", "comment"}``."""

    @extend_schema(request=TaskIn, responses=OpenApiTypes.OBJECT, operation_id="privacy_forget_task_patch")
    def patch(self, request, pk):
        data = _valid(TaskIn, request.data)
        task = get_object_or_404(ForgetTask.objects.select_related("product__domain", "request"), pk=pk)
        task = actions.settle_task(request.user, task, via=VIA, **data)
        task = ForgetTask.objects.select_related("product", "done_by").get(pk=task.pk)
        return Response(serialize.task(task))
