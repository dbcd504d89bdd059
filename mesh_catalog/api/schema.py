"""OpenAPI tweaks: bearer-token security scheme; every operation documents the error body."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Documents ``Authorization: Bearer <personal access token>``."""

    target_class = "apps.core.auth.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token (profile page or `manage.py create_token`).",
        }


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "nullable": True},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "line": {
                        "type": "integer",
                        "nullable": True,
                        "description": "Descriptor errors: line in the file.",
                    },
                    "column": {
                        "type": "integer",
                        "nullable": True,
                        "description": "Descriptor errors: column in the file.",
                    },
                },
                "required": ["field", "code", "message"],
            },
        },
        "changes": {"type": "object", "additionalProperties": True, "description": "On 409: {field: [then, now]}."},
    },
    "required": ["errors"],
}
ERROR_STATUSES = {
    "400": "Invalid input.",
    "401": "Not authenticated.",
    "403": "Not allowed.",
    "404": "Not found.",
    "409": "Conflict: the object changed since it was read.",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: add ErrorList and error responses everywhere."""
    result.setdefault("components", {}).setdefault("schemas", {})["ErrorList"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/ErrorList"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            # Errors come in the media types the operation answers in (JSON, or YAML for descriptors).
            media_types = {"application/json"}
            for response in operation["responses"].values():
                media_types |= set((response.get("content") or {}).keys())
            content = {m: {"schema": ref} for m in sorted(media_types)}
            for code, description in ERROR_STATUSES.items():
                operation["responses"].setdefault(code, {"description": description, "content": content})
    return result
