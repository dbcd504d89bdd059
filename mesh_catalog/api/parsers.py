"""Request parsers that refuse text no database or response could hold.

JSON may escape lone UTF-16 surrogates (``"\\ud800"``); Python accepts them, but neither
PostgreSQL nor a UTF-8 response can carry them, so such a body is a 400, not a 500.
"""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def has_lone_surrogates(value) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(has_lone_surrogates(k) or has_lone_surrogates(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(has_lone_surrogates(v) for v in value)
    return False


class StrictJSONParser(JSONParser):
    """JSON without lone surrogates."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if has_lone_surrogates(data):
            raise ParseError("The body contains text that is not valid Unicode (a lone surrogate).")
        return data
