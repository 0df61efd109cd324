"""The API reference page: the OpenAPI schema of /api/v1/ turned into readable HTML.

It lives beside ``api.py`` at the project level: the apps (core among them) do not know
the project's API, only this page does.

Swagger UI stays available for trying requests; this page is the one that works with a
keyboard and a screen reader, in the visitor's language (the endpoints' own descriptions
are English, like their field names).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

METHOD_ORDER = ("get", "post", "put", "patch", "delete")
TAG_TITLES = {
    "core": _("Platform"),
    "events": _("Events"),
    "library": _("Library"),
    "directory": _("Directory and Finder"),
    "assessments": _("Self-assessment"),
}


@dataclass(frozen=True)
class Field:
    name: str
    where: str
    type: str
    required: bool
    description: str


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    parameters: list[Field] = field(default_factory=list)
    body: list[Field] = field(default_factory=list)
    responses: list[tuple[str, str]] = field(default_factory=list)
    needs_token: bool = False


@dataclass(frozen=True)
class Group:
    tag: str
    operations: list[Operation]

    @property
    def title(self) -> str:
        return str(TAG_TITLES.get(self.tag, self.tag))


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return dict(components.get(ref.rsplit("/", 1)[-1], {}))
    return schema


def _type(schema: dict[str, Any], components: dict[str, Any]) -> str:
    """A short readable type: 'string', 'integer', 'one of: a, b', 'list of string'."""
    schema = _resolve(schema, components)
    variants = schema.get("anyOf") or schema.get("oneOf")
    if variants:
        named = [_type(v, components) for v in variants if v.get("type") != "null"]
        return " | ".join(dict.fromkeys(named)) or "null"
    if "enum" in schema:
        return "one of: " + ", ".join(str(v) for v in schema["enum"])
    kind = schema.get("type", "object")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}), components)}"
    if schema.get("format"):
        return f"{kind} ({schema['format']})"
    return str(kind)


def _body_fields(operation: dict[str, Any], components: dict[str, Any]) -> list[Field]:
    content = operation.get("requestBody", {}).get("content", {})
    first: dict[str, Any] = next(iter(content.values()), {})
    schema = first.get("schema", {})
    schema = _resolve(schema, components)
    required = set(schema.get("required", ()))
    return [
        Field(
            name=name,
            where="body",
            type=_type(spec, components),
            required=name in required,
            description=str(_resolve(spec, components).get("description", "")),
        )
        for name, spec in schema.get("properties", {}).items()
    ]


def _reference(schema: dict[str, Any]) -> list[Group]:
    components = schema.get("components", {}).get("schemas", {})
    groups: dict[str, list[Operation]] = {}
    for path, operations in schema.get("paths", {}).items():
        for method in METHOD_ORDER:
            operation = operations.get(method)
            if operation is None:
                continue
            parameters = [
                Field(
                    name=p["name"],
                    where=p.get("in", ""),
                    type=_type(p.get("schema", {}), components),
                    required=bool(p.get("required")),
                    description=str(p.get("description", "")),
                )
                for p in operation.get("parameters", ())
            ]
            responses = [
                (str(code), str(spec.get("description", "")))
                for code, spec in sorted(operation.get("responses", {}).items())
            ]
            tag = (operation.get("tags") or ["api"])[0]
            groups.setdefault(tag, []).append(
                Operation(
                    method=method.upper(),
                    path=path,
                    anchor=str(operation.get("operationId", f"{method}-{path}")),
                    summary=str(operation.get("summary", "")),
                    description=str(operation.get("description", "")),
                    parameters=parameters,
                    body=_body_fields(operation, components),
                    responses=responses,
                    needs_token=bool(operation.get("security")),
                )
            )
    return [Group(tag=tag, operations=ops) for tag, ops in groups.items()]


@cache
def api_reference() -> tuple[dict[str, Any], list[Group]]:
    """The API's title and description, and its operations grouped by app (built once)."""
    from cityexchange.api import api

    schema = api.get_openapi_schema()
    return schema.get("info", {}), _reference(schema)


def api_reference_page(request: HttpRequest) -> HttpResponse:
    info, groups = api_reference()
    return render(request, "api_reference.html", {"info": info, "groups": groups})
