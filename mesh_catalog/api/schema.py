"""OpenAPI tweaks: every operation documents the common error body and its statuses."""

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
                    "line": {"type": "integer", "nullable": True, "description": "Descriptor errors: line in the file."},
                    "column": {"type": "integer", "nullable": True, "description": "Descriptor errors: column in the file."},
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
            for code, description in ERROR_STATUSES.items():
                operation["responses"].setdefault(code, {"description": description, "content": {"application/json": {"schema": ref}}})
    return result
