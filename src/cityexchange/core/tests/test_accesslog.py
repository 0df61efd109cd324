"""Every personal link the platform hands out is unreadable in its logs."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from gunicorn.config import Config

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


def test_the_served_access_log_names_no_client_query_or_referrer(
    monkeypatch: pytest.MonkeyPatch, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # What `cityexchange serve` starts gunicorn with, read by gunicorn's own parser.
    started: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda _exe, argv: started.append(argv))
    settings.LOG_FORMAT = "text"
    call_command("serve", "--port", "8123")
    argv = started[0]
    config = Config()
    parsed = config.parser().parse_args(argv[argv.index("gunicorn") + 1 :])
    for name, value in vars(parsed).items():
        if name in config.settings and value is not None:
            config.set(name, value)
    logger = config.logger_class(config)
    stream = io.StringIO()
    logger.access_log.handlers[0].stream = stream  # "-" logs to stdout
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/en/events/registration/{SECRET}/?email=ana@example.org",
        "PATH_INFO": f"/en/events/registration/{SECRET}/",
        "QUERY_STRING": "email=ana@example.org",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_REFERER": "https://mail.example/inbox",
        "HTTP_USER_AGENT": "Mozilla/5.0 (Ana's phone)",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, dt.timedelta(milliseconds=12))
    line = stream.getvalue()
    assert '"GET /en/events/registration/[token]/" 200 512 12ms' in line
    for personal in ("203.0.113.7", "ana@example.org", "mail.example", "Ana's phone", SECRET):
        assert personal not in line
