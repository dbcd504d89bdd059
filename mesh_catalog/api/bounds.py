"""Bounds on what a request body may contain, shared by REST, GraphQL and OpenLineage intake.

Each refusal is a ``BadInput`` with a stable code, turned into a 400 (or 413) in the one
error format. The checks run on parsed JSON with an explicit stack, never recursion, so
a hostile document cannot raise ``RecursionError`` in our own code either:

- text no database or response can hold: a NUL character (PostgreSQL text refuses it)
  or a lone UTF-16 surrogate (``"\\ud800"``, which UTF-8 cannot encode);
- nesting deeper than ``MESH_JSON_MAX_DEPTH`` (the json module's C parser would stop
  at the interpreter's recursion limit with a ``RecursionError``, a 500).
"""

import json

from django.conf import settings


class BadInput(ValueError):
    """A body refused before any work is done; ``status`` is 400 or 413."""

    def __init__(self, message: str, *, code: str = "invalid", status: int = 400, field: str | None = None):
        super().__init__(message)
        self.message, self.code, self.status, self.field = message, code, status, field

    def as_body(self) -> dict:
        return {"errors": [{"field": self.field, "code": self.code, "message": self.message}]}


def _bad_text(value: str) -> str | None:
    if "\x00" in value:
        return "nul_character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "lone_surrogate"
    return None


_TEXT_MESSAGES = {
    "nul_character": "Text may not contain a NUL character (\\u0000).",
    "lone_surrogate": "The body contains text that is not valid Unicode (a lone surrogate).",
}


def check_value(value, *, max_depth: int | None = None) -> None:
    """Raise BadInput for a NUL, a lone surrogate or nesting deeper than ``max_depth``."""
    max_depth = settings.MESH_JSON_MAX_DEPTH if max_depth is None else max_depth
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            problem = _bad_text(item)
            if problem:
                raise BadInput(_TEXT_MESSAGES[problem], code=problem)
        elif isinstance(item, (dict, list)):
            if depth >= max_depth:
                raise BadInput(f"The JSON is nested too deeply (at most {max_depth} levels).", code="too_deep")
            if isinstance(item, dict):
                stack.extend((k, depth + 1) for k in item)
                stack.extend((v, depth + 1) for v in item.values())
            else:
                stack.extend((v, depth + 1) for v in item)


def loads(raw: bytes | str, *, max_depth: int | None = None):
    """``json.loads`` that answers every hostile input with BadInput, never a 500."""
    try:
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8")
        value = json.loads(raw)
    except RecursionError:
        raise BadInput("The JSON is nested too deeply.", code="too_deep") from None
    except UnicodeDecodeError:
        raise BadInput("The body is not UTF-8.", code="invalid_encoding") from None
    except ValueError as exc:
        raise BadInput(f"The body is not valid JSON: {exc}", code="invalid_json") from None
    check_value(value, max_depth=max_depth)
    return value
