"""Request ids, the JSON request line and the metrics of each request.

Every request gets an id (the proxy's ``X-Request-ID`` when it sends a plausible
one, otherwise a new one), answered in the ``X-Request-ID`` header and attached to
every log line written while the request runs. Tasks queued by the request carry it
in a message header, so the worker's lines about the mail a registration sent can be
found by the registration request's id.

With ``CITYEXCHANGE_LOG_FORMAT=json`` each request is logged as one JSON line:
method, path (personal-link tokens redacted, no query string), view, status,
duration and request id. No client address, no user, no query string: nothing that
identifies a person. The JSON formatter also masks e-mail addresses and API tokens
in any message, whoever logged it.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse

from cityexchange.core.accesslog import redact

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "cityexchange_request_id", default=None
)
HEADER = "cityexchange_request_id"
PUBLISHED_HEADER = "cityexchange_published_at"

_PLAUSIBLE_ID = re.compile(r"^[A-Za-z0-9._-]{8,100}$")
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_API_TOKEN = re.compile(r"\bcx_[A-Za-z0-9_-]+")
_BEARER = re.compile(r"(?i)\b(bearer\s+)\S+")

logger = logging.getLogger("cityexchange.request")


def scrub(text: str) -> str:
    """``text`` without personal-link tokens, e-mail addresses and API tokens."""
    text = redact(text)
    text = _EMAIL.sub("[email]", text)
    text = _API_TOKEN.sub("cx_[token]", text)
    return _BEARER.sub(r"\1[token]", text)


def current_request_id() -> str | None:
    return REQUEST_ID.get()


class RequestIdFilter(logging.Filter):
    """Puts the current request (or task) id on every record as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = REQUEST_ID.get()
        return True


# The attributes a request line or a task may add; nothing else of ``extra`` is written,
# because third-party code passes whole payloads there (Celery: a task's arguments).
_FIELDS = ("method", "path", "view", "status", "duration_ms", "task", "task_id")


class JsonFormatter(logging.Formatter):
    """One JSON object per line; messages and tracebacks scrubbed of personal data."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
        }
        for name in _FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = scrub(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["error"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def _view_label(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name:
        return str(match.view_name)
    if request.path.startswith(settings.STATIC_URL):
        return "static"
    return "unresolved"


class RequestLogMiddleware:
    """The outermost middleware: request id, the JSON request line, request metrics."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _PLAUSIBLE_ID.match(incoming) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        queries = [0]
        try:
            if settings.METRICS_TOKEN:

                def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
                    queries[0] += 1
                    return execute(sql, params, many, context)

                with connection.execute_wrapper(count):
                    response = self.get_response(request)
            else:
                response = self.get_response(request)
            duration = time.perf_counter() - started
            response["X-Request-ID"] = request_id
            view = _view_label(request)
            if settings.METRICS_TOKEN:
                from cityexchange.core import metrics

                metrics.request_observed(
                    view=view,
                    method=request.method or "",
                    status=response.status_code,
                    seconds=duration,
                    queries=queries[0],
                )
            if settings.LOG_FORMAT == "json":
                logger.info(
                    "request",
                    extra={
                        "method": request.method,
                        "path": redact(request.path),
                        "view": view,
                        "status": response.status_code,
                        "duration_ms": round(duration * 1000, 1),
                    },
                )
            return response
        finally:
            REQUEST_ID.reset(token)


# ------------------------------------------------------------------ Celery side


def on_before_task_publish(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """The queuing request's id and the time of queuing travel with the task."""
    if headers is None:
        return
    request_id = REQUEST_ID.get()
    if request_id:
        headers.setdefault(HEADER, request_id)
    headers.setdefault(PUBLISHED_HEADER, time.time())


def on_task_prerun(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    if task is None or getattr(task.request, "is_eager", False):
        return  # inline: the request's own id stays
    REQUEST_ID.set(getattr(task.request, HEADER, None) or f"task-{task_id}")


def on_task_postrun(task: Any = None, **kwargs: Any) -> None:
    if task is None or getattr(task.request, "is_eager", False):
        return
    REQUEST_ID.set(None)


def connect_task_signals() -> None:
    from celery import signals

    signals.before_task_publish.connect(on_before_task_publish, dispatch_uid="cx-request-id")
    signals.task_prerun.connect(on_task_prerun, dispatch_uid="cx-request-id")
    signals.task_postrun.connect(on_task_postrun, dispatch_uid="cx-request-id")
