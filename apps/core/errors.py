"""Errors raised by actions, shaped so every interface can report them the same way.

Web forms, GraphQL payloads and REST bodies turn an ``ActionError`` into a list of
``{field, code, message}``.
"""

from typing import Any

from django.core.exceptions import ValidationError

# (field or None for the whole object, machine-readable code, message for a person)
ErrorTriple = tuple[str | None, str, str]


class ActionError(Exception):
    """A write was refused. ``errors`` is a list of (field, code, message)."""

    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        errors: list[ErrorTriple] | None = None,
    ) -> None:
        super().__init__(message)
        self.errors: list[ErrorTriple] = errors or [(field, code or self.code, message)]

    @property
    def message(self) -> str:
        return "; ".join(m for _, _, m in self.errors)

    def as_dicts(self) -> list[dict[str, str | None]]:
        return [{"field": f, "code": c, "message": m} for f, c, m in self.errors]

    @classmethod
    def from_validation_error(cls, exc: ValidationError) -> "ActionError":
        errors: list[ErrorTriple] = []
        if hasattr(exc, "error_dict"):
            for field, field_errors in exc.error_dict.items():
                for err in field_errors:
                    msg = err.message % err.params if err.params else err.message
                    errors.append((None if field == "__all__" else field, err.code or "invalid", str(msg)))
        else:
            for err in exc.error_list:
                msg = err.message % err.params if err.params else err.message
                errors.append((None, err.code or "invalid", str(msg)))
        return cls(errors[0][2] if errors else "invalid", errors=errors)


class PermissionDeniedError(ActionError):
    """The actor may not make this write (REST 403, a typed GraphQL error, a form message)."""

    code = "permission_denied"


class NotFoundError(ActionError):
    """The object the write names does not exist (or the actor may not know it does)."""

    code = "not_found"


class ConflictError(ActionError):
    """Someone else saved first: the caller's copy is stale. ``changes`` says what moved."""

    code = "conflict"

    def __init__(self, message: str, *, changes: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.changes: dict[str, Any] = changes or {}
