"""Input no page or endpoint can use is refused at the door, the same way on every engine.

* A body larger than the platform accepts gets **413** before it is read.
* A NUL character in a query parameter, a form field or a JSON string gets **400**
  naming the field. PostgreSQL cannot store or compare NUL in text, so without this a
  filter, a search or a JSON field would fail deep inside a query (a 500), while
  SQLite would accept the same input: both engines now answer alike.

API paths (``/api/``) answer ``{"detail": ...}``; pages answer with the error page.
Both are worded in the request's language (this runs after ``LocaleMiddleware``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

NUL = "\x00"


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every (field path, text) in a parsed JSON document, keys included."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            yield name, str(key)
            yield from _strings(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def _field_with_nul(request: HttpRequest) -> str | None:
    if NUL in request.path:
        return _("address")
    for name, values in request.GET.lists():
        if NUL in name or any(NUL in value for value in values):
            return name.replace(NUL, "")
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    content_type = request.content_type or ""
    if content_type == "application/json":
        if NUL.encode() not in request.body and b"\\u0000" not in request.body.lower():
            return None
        try:
            document = json.loads(request.body)
        except ValueError:
            return None  # not JSON: the endpoint says so itself
        for name, text in _strings(document, ""):
            if NUL in text:
                return name.replace(NUL, "") or "body"
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if request.path.startswith("/api/"):
            # The API reads bodies as JSON; parsing a form here would use up the body.
            return None
        for name, values in request.POST.lists():
            if NUL in name or any(NUL in value for value in values):
                return name.replace(NUL, "")
    return None


def _too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    if (request.content_type or "") == "multipart/form-data":
        # Uploaded files have their own, larger limit; the form around them is small.
        limit = settings.CITYEXCHANGE_MAX_UPLOAD_BYTES + limit
    return bool(limit) and length > limit


def _refuse(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(
        request,
        "core/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            too_large = _too_large(request)
            field = None if too_large else _field_with_nul(request)
        except RequestDataTooBig:
            # A form field beyond DATA_UPLOAD_MAX_MEMORY_SIZE, found while reading it.
            too_large, field = True, None
        except MultiPartParserError:
            # "multipart/form-data" that is not (no boundary, a broken part).
            return _refuse(
                request,
                400,
                _("Invalid input"),
                _("The request's form data could not be read."),
            )
        if too_large:
            mb = settings.CITYEXCHANGE_MAX_UPLOAD_BYTES // (1024 * 1024)
            return _refuse(
                request,
                413,
                _("Too much data"),
                _("The request is larger than this site accepts (files up to %(mb)s MB).")
                % {"mb": mb},
            )
        if field is not None:
            return _refuse(
                request,
                400,
                _("Invalid input"),
                _("The field “%(field)s” contains a NUL character, which is not allowed.")
                % {"field": field},
            )
        return self.get_response(request)
