"""Every personal link the platform hands out is unreadable in its logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from cityexchange.core.accesslog import RedactTokens, redact

SECRET = "Zq8xVb3NpLw2RtYk5MhC7dJf"
SECRET_NAMES = {"token", "key", "uidb36"}


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def test_every_route_with_a_secret_in_its_path_is_redacted() -> None:
    with_secret = [
        route
        for route in _routes(get_resolver().url_patterns)
        if any(f":{name}>" in route or f"<{name}>" in route for name in SECRET_NAMES)
    ]
    assert with_secret, "the personal links should be found"
    for route in with_secret:
        path = "/" + route.replace("^", "").replace("$", "")
        # re_path routes (allauth's) name their secrets as regular-expression groups.
        path = re.sub(r"\(\?P<\w+>[^)]*\)", SECRET, path)
        for name in SECRET_NAMES:
            path = path.replace(f"<str:{name}>", SECRET).replace(f"<{name}>", SECRET)
        path = path.replace("<slug:slug>", "some-event")
        assert SECRET not in redact(f'"GET {path} HTTP/1.1" 200'), route


def test_log_records_lose_their_tokens() -> None:
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        (f"/en/events/registration/{SECRET}/",),
        None,
    )
    RedactTokens().filter(record)
    assert SECRET not in record.getMessage()
    assert "/registration/[token]/" in record.getMessage()


def test_ordinary_paths_are_kept_as_they_are() -> None:
    line = '"GET /en/library/resources/water-management/?page=2 HTTP/1.1" 200'
    assert redact(line) == line
