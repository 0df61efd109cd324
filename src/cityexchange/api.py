"""The JSON API at /api/v1/: one NinjaAPI, one router per app, one error shape.

Errors are always ``{"detail": "<readable sentence>"}`` (validation errors add
``errors`` with the field-by-field list), in the language of the request.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from cityexchange import openapi
from cityexchange.core.api import router as core_router

logger = logging.getLogger(__name__)


class CityexchangeAPI(NinjaAPI):
    """The platform's API; its OpenAPI document also names the answers every operation
    shares (see ``cityexchange.openapi``)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return openapi.complete(schema)


class OneValueParser(Parser):
    """Reads query and form parameters; one that takes a single value but is sent
    several times is refused (422) rather than silently reduced to its last value,
    which would let ``?topic=nonsense&topic=`` pass as "no topic"."""

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        repeated = [key for key in data if key not in list_fields and len(data.getlist(key)) > 1]
        if repeated:
            raise ValidationError(
                [
                    {"loc": ("query", key), "msg": _("give this parameter only once")}
                    for key in repeated
                ]
            )
        return super().parse_querydict(data, list_fields, request)


api = CityexchangeAPI(
    title="cityexchange API",
    version="1",
    description=(
        "Open API of the cityexchange platform: events, library, directory, finder, "
        "self-assessment, network operations, challenges, consultations and local "
        "marketplaces. Reads are public unless stated; writes by staff need a token "
        "(`Authorization: Bearer cx_...`, created with `cityexchange create-token`)."
    ),
    urls_namespace="api",
    renderer=JSONRenderer(),
    parser=OneValueParser(),
)


def _loc(entry: dict[str, Any]) -> str:
    parts = [str(p) for p in entry.get("loc", ()) if p not in ("body", "query", "path", "payload")]
    return ".".join(parts) or _("request")


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [{"field": _loc(e), "message": str(e.get("msg", ""))} for e in exc.errors]
    readable = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return api.create_response(
        request,
        {"detail": _("Invalid input — %(errors)s") % {"errors": readable}, "errors": errors},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": _("Authentication required: sign in or send a valid API token.")},
        status=401,
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc.message)}, status=exc.status_code)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("You are not allowed to do this.")}, status=403
    )


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if settings.DEBUG:
        raise exc
    logger.exception("Unhandled API error", exc_info=exc)
    return api.create_response(
        request, {"detail": _("An unexpected error occurred; it has been logged.")}, status=500
    )


api.add_router("/", core_router)

# Each module app contributes its router from ``<app>/api.py`` once it exists.
for _app, _prefix in [
    ("events", "/events"),
    ("library", "/library"),
    ("directory", "/"),
    ("assessments", "/assessments"),
    ("network", "/network"),
    ("challenges", "/challenges"),
    ("consultations", "/consultations"),
    ("marketplace", "/market"),
]:
    try:
        _module = importlib.import_module(f"cityexchange.{_app}.api")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"cityexchange.{_app}.api":
            raise
        continue
    api.add_router(_prefix, _module.router)
