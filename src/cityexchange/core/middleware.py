"""Times in the viewer's own time zone (chosen, from the profile, or the default), and
one reading of the shared data versions per request (``core.caching``)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from cityexchange.core import caching

COOKIE = "cx_tz"


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    """The IANA zone names, read once: listing them scans the zone files on disk."""
    return frozenset(zoneinfo.available_timezones())


def viewer_timezone_name(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    candidates = [
        request.COOKIES.get(COOKIE, ""),
        getattr(user, "timezone", "") if user is not None and user.is_authenticated else "",
        settings.CITYEXCHANGE_DEFAULT_VIEWER_TIMEZONE,
    ]
    for name in candidates:
        if name and name in known_timezones():
            return name
    return "UTC"


class TimezoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.activate(zoneinfo.ZoneInfo(viewer_timezone_name(request)))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class KeepVersionsMiddleware:
    """A request reads each data version from the shared cache once (``core.caching``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with caching.versions_kept():
            return self.get_response(request)
