"""One way to limit how often a client may write: pages and API alike.

Counts live in Django's cache (django-ratelimit), so every process that shares the
cache shares the count. A limit is keyed by the client's address; behind a proxy
(``CITYEXCHANGE_BEHIND_PROXY=1``) that address is read from ``X-Forwarded-For``,
``CITYEXCHANGE_PROXY_HOPS`` entries from its end, because only the entries our own
proxies appended can be trusted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited
from ninja.errors import HttpError


@dataclass(frozen=True)
class Limit:
    """At most ``rate`` (``"10/m"``) requests of one client in ``group``."""

    group: str
    rate: str
    title: str | Promise = _("Too many requests")
    message: str | Promise = _(
        "You sent many requests in a short time. Please wait a minute and try again."
    )

    @property
    def seconds(self) -> int:
        """The window, for ``Retry-After``."""
        unit = self.rate.rsplit("/", 1)[1]
        return {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(unit[-1:], 60)


def client_address(request: HttpRequest) -> str:
    """The address a limit counts: the peer, or the one our proxies saw."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if not settings.BEHIND_PROXY:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < settings.PROXY_HOPS:
        return remote
    return forwarded[-settings.PROXY_HOPS]


def exceeded(request: HttpRequest, limit: Limit) -> bool:
    """Count this request against ``limit``; True once the client is over it."""
    if not settings.RATELIMIT_ENABLE:
        return False
    return bool(
        is_ratelimited(request, group=limit.group, key="ip", rate=limit.rate, increment=True)
    )


def too_many_page(request: HttpRequest, limit: Limit) -> HttpResponse:
    """The page a person sees when over a limit (429, with when to try again)."""
    response = render(
        request,
        "core/error.html",
        {"status": 429, "title": limit.title, "message": limit.message},
        status=429,
    )
    response["Retry-After"] = str(limit.seconds)
    return response


def check_api(request: HttpRequest, limit: Limit) -> None:
    """Raise the API's 429 answer (``{"detail": ...}``) when over ``limit``."""
    if exceeded(request, limit):
        raise HttpError(429, str(limit.message))
