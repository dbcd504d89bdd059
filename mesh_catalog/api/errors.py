"""One error body for every REST failure: ``{"errors": [{"field", "code", "message"}]}``.

Action errors keep their (field, code, message); DRF's validation errors are flattened
into the same shape with dotted field paths (``ports.0.name``).
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import DataError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from apps.core.errors import ActionError, ConflictError, NotFoundError, PermissionDeniedError


def action_error_status(exc: ActionError) -> int:
    if isinstance(exc, PermissionDeniedError):
        return status.HTTP_403_FORBIDDEN
    if isinstance(exc, NotFoundError):
        return status.HTTP_404_NOT_FOUND
    if isinstance(exc, ConflictError):
        return status.HTTP_409_CONFLICT
    return status.HTTP_400_BAD_REQUEST


def error_body(exc: ActionError) -> dict:
    problems = getattr(exc, "problems", None)  # descriptor errors also say where: line, column
    body = {"errors": [p.as_dict() for p in problems] if problems else exc.as_dicts()}
    if isinstance(exc, ConflictError):
        body["changes"] = {k: list(v) for k, v in exc.changes.items()}
    return body


def flatten_detail(detail, field: str | None = None) -> list[dict]:
    """DRF's nested error detail (dicts, lists, ErrorDetail) → a flat list of error dicts."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            key = None if key in ("non_field_errors", "detail") else str(key)
            out += flatten_detail(value, f"{field}.{key}" if field and key else (key or field))
        return out
    if isinstance(detail, list):
        out = []
        for index, value in enumerate(detail):
            nested = isinstance(value, (dict, list))
            out += flatten_detail(value, f"{field}.{index}" if nested and field else field)
        return out
    return [{"field": field, "code": getattr(detail, "code", None) or "invalid", "message": str(detail)}]


def exception_handler(exc, context):
    if isinstance(exc, DataError):
        # Input the database cannot store or compare (a NUL character, an out-of-range number)
        # is the client's mistake: a 400 in the one error format, and the transaction undone.
        set_rollback()
        message = "The input contains a value the database cannot store"
        if "NUL" in str(exc):
            message += " (a NUL character)"
        return Response(
            {"errors": [{"field": None, "code": "invalid_value", "message": message + "."}]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, ActionError):
        return Response(error_body(exc), status=action_error_status(exc))
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = {"errors": flatten_detail(exc.detail)}
    return response
