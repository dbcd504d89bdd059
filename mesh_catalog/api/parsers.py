"""Request parsers that refuse text no database or response could hold, and hostile nesting.

JSON may escape lone UTF-16 surrogates (``"\\ud800"``) and NUL (``"\\u0000"``); Python
accepts both, but neither PostgreSQL nor a UTF-8 response can carry them, and JSON nested
100,000 deep makes the json module raise ``RecursionError``. Each is a 400 with its own
code (``lone_surrogate``, ``nul_character``, ``too_deep``), never a 500.
"""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from mesh_catalog.api import bounds


def has_lone_surrogates(value) -> bool:
    try:
        bounds.check_value(value, max_depth=10**9)
    except bounds.BadInput as exc:
        return exc.code == "lone_surrogate"
    return False


class StrictJSONParser(JSONParser):
    """JSON without NUL, lone surrogates or nesting beyond ``MESH_JSON_MAX_DEPTH``."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if not raw:
            raise ParseError("The body is empty; send a JSON document.")
        try:
            return bounds.loads(raw)
        except bounds.BadInput as exc:
            raise ParseError(exc.message, code=exc.code) from None


def _check_form(data) -> None:
    """Form fields (names and values) obey the same text rules as JSON strings."""
    values = []
    for key, items in data.lists():
        values.append(key)
        values.extend(v for v in items if isinstance(v, str))
    try:
        bounds.check_value(values, max_depth=2)
    except bounds.BadInput as exc:
        raise ParseError(exc.message, code=exc.code) from None


class StrictFormParser(FormParser):
    """URL-encoded forms without NUL or lone surrogates."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _check_form(data)
        return data


class StrictMultiPartParser(MultiPartParser):
    """Multipart forms whose text fields have no NUL or lone surrogates (files are checked by their readers)."""

    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        _check_form(result.data)
        return result
