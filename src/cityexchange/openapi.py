"""What the published OpenAPI document adds to the one django-ninja derives.

Ninja documents the answers each operation declares. A client also meets the
answers every operation shares, and the document must say so to be a contract:

* 400 for input no endpoint accepts (a NUL character anywhere, see
  ``core.inputguard``), and the schema says NUL may not appear in any text;
* 422 where there are parameters or a body to validate, 413 where there is a body,
  404 where the address names something, 401/403 where a token or session is needed;
* 414 where there are query parameters: the web server in front (gunicorn) refuses
  an address longer than it reads, before the application sees it.

All but 414 answer ``{"detail": "<readable sentence>"}`` (422 adds ``errors``).
"""

from __future__ import annotations

from typing import Any

ERROR = "CityexchangeError"
NO_NUL = "^[^\\u0000]*$"

_ERROR_SCHEMA = {
    "type": "object",
    "title": ERROR,
    "properties": {
        "detail": {"type": "string", "description": "A readable sentence."},
        "errors": {
            "type": "array",
            "description": "For 422: what is wrong with each field.",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    "required": ["detail"],
}

_DESCRIPTIONS = {
    "400": "Input no endpoint accepts (for example a NUL character).",
    "401": "Sign in or send a valid API token.",
    "403": "Signed in, but not allowed to do this.",
    "404": "Nothing at this address, or nothing this client may see.",
    "413": "The body is larger than the platform accepts.",
    "414": "The address is longer than the web server reads (it answers this itself, "
    "without a JSON body).",
    "422": "A parameter or a field of the body is not valid.",
}


def _no_nul(schema: Any, components: dict[str, Any], seen: set[str]) -> None:
    """Forbid NUL in every free text of ``schema`` (following references once)."""
    if isinstance(schema, list):
        for item in schema:
            _no_nul(item, components, seen)
        return
    if not isinstance(schema, dict):
        return
    reference = schema.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/components/schemas/"):
        name = reference.rsplit("/", 1)[1]
        if name not in seen and name in components:
            seen.add(name)
            _no_nul(components[name], components, seen)
    if schema.get("type") == "string" and not (
        {"pattern", "enum", "format", "const"} & schema.keys()
    ):
        schema["pattern"] = NO_NUL
    if schema.get("type") == "object" or "properties" in schema:
        schema.setdefault("propertyNames", {"pattern": NO_NUL})
    for key in ("properties", "$defs"):
        for child in (schema.get(key) or {}).values():
            _no_nul(child, components, seen)
    for key in ("items", "additionalProperties", "anyOf", "oneOf", "allOf", "not"):
        if key in schema:
            _no_nul(schema[key], components, seen)


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the shared answers documented and NUL excluded from texts."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(ERROR, _ERROR_SCHEMA)
    seen: set[str] = set()
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            parameters = operation.get("parameters", [])
            has_body = "requestBody" in operation
            codes = {"400"}
            if parameters or has_body:
                codes.add("422")
            if has_body:
                codes.add("413")
            if any(p.get("in") == "query" for p in parameters):
                codes.add("414")
            if any(p.get("in") == "path" for p in parameters):
                codes.add("404")
            if operation.get("security"):
                codes |= {"401", "403"}
            responses = operation.setdefault("responses", {})
            # Ninja keys the answers by number; the JSON document writes them as text.
            documented = {str(key) for key in responses}
            for code in sorted(codes - documented):
                answer: dict[str, Any] = {"description": _DESCRIPTIONS[code]}
                if code != "414":
                    answer["content"] = {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR}"}}
                    }
                responses.setdefault(int(code), answer)
            for parameter in parameters:
                _no_nul(parameter.get("schema"), components, seen)
            for media in operation.get("requestBody", {}).get("content", {}).values():
                _no_nul(media.get("schema"), components, seen)
    return schema
