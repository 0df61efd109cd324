"""Prometheus metrics: requests per view, queries, tasks, registrations, searches, Finder.

Off unless ``CITYEXCHANGE_METRICS_TOKEN`` is set; then ``GET /api/v1/metrics`` with
``Authorization: Bearer <token>`` answers Prometheus' text format (without the token:
401; with metrics off: 404, as if the address did not exist).

gunicorn's worker processes and Celery's pool processes each count for themselves.
With metrics on, ``settings`` points prometheus-client's multi-process mode at a
folder (``PROMETHEUS_MULTIPROC_DIR``, default ``var/metrics``) that every process of
the machine writes to, and a scrape adds them up, the worker's task counts included
when it runs on the same machine and folder.

Labels are bounded: a view's URL name (never a path), a method, a status code, a
task name. Nothing here names a person.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

REQUESTS = Counter(
    "cityexchange_http_requests_total",
    "Answered requests, by view (URL name), method and status.",
    ["view", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "cityexchange_http_request_duration_seconds",
    "Time to answer a request, by view.",
    ["view"],
    buckets=_LATENCY_BUCKETS,
)
DB_QUERIES = Counter(
    "cityexchange_db_queries_total",
    "Database queries made while answering requests, by view.",
    ["view"],
)
TASKS = Counter(
    "cityexchange_tasks_total",
    "Background tasks finished on a worker, by task and state (success, failure, retry).",
    ["task", "state"],
)
TASK_QUEUE_SECONDS = Histogram(
    "cityexchange_task_queue_latency_seconds",
    "Time from queuing a task to a worker starting it.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800),
)
TASK_SECONDS = Histogram(
    "cityexchange_task_duration_seconds",
    "Time a worker spent on a task.",
    ["task"],
    buckets=_LATENCY_BUCKETS,
)
REGISTRATIONS = Counter(
    "cityexchange_registrations_total",
    "New event registrations, by the state they started in (confirmed, waitlisted, ...).",
    ["status"],
)
SEARCHES = Counter(
    "cityexchange_searches_total", "Library searches, by interface (page or api).", ["interface"]
)
FINDER_REQUESTS = Counter(
    "cityexchange_finder_requests_total",
    "Finder requests, by interface (page or api).",
    ["interface"],
)

# The views whose requests are counted as a search or a Finder request as well.
_SEARCH_VIEWS = {"library:search": "page", "api:search": "api"}
_FINDER_VIEWS = {"directory:finder": "page", "api:finder": "api"}


def request_observed(*, view: str, method: str, status: int, seconds: float, queries: int) -> None:
    REQUESTS.labels(view=view, method=method, status=str(status)).inc()
    REQUEST_SECONDS.labels(view=view).observe(seconds)
    if queries:
        DB_QUERIES.labels(view=view).inc(queries)
    if status < 400:
        if view in _SEARCH_VIEWS:
            SEARCHES.labels(interface=_SEARCH_VIEWS[view]).inc()
        elif view in _FINDER_VIEWS:
            FINDER_REQUESTS.labels(interface=_FINDER_VIEWS[view]).inc()


def registration_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if created and settings.METRICS_TOKEN:
        REGISTRATIONS.labels(status=str(getattr(instance, "status", ""))).inc()


# ------------------------------------------------------------------ Celery side

_started: dict[str, float] = {}


def on_task_prerun(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    import time

    from cityexchange.core.requestlog import PUBLISHED_HEADER

    if not settings.METRICS_TOKEN or task is None or getattr(task.request, "is_eager", False):
        return
    now = time.time()
    if task_id:
        _started[task_id] = now
    published = getattr(task.request, PUBLISHED_HEADER, None)
    if isinstance(published, int | float) and published <= now:
        TASK_QUEUE_SECONDS.labels(task=task.name).observe(now - published)


def on_task_postrun(
    task_id: str | None = None, task: Any = None, state: str | None = None, **kwargs: Any
) -> None:
    import time

    if not settings.METRICS_TOKEN or task is None or getattr(task.request, "is_eager", False):
        return
    started = _started.pop(task_id or "", None)
    if started is not None:
        TASK_SECONDS.labels(task=task.name).observe(time.time() - started)
    TASKS.labels(task=task.name, state=(state or "unknown").lower()).inc()


def connect_signals() -> None:
    from celery import signals
    from django.apps import apps
    from django.db.models.signals import post_save

    signals.task_prerun.connect(on_task_prerun, dispatch_uid="cx-metrics")
    signals.task_postrun.connect(on_task_postrun, dispatch_uid="cx-metrics")
    try:
        registration = apps.get_model("events", "Registration")
    except LookupError:
        return
    post_save.connect(registration_saved, sender=registration, dispatch_uid="cx-metrics")


# ------------------------------------------------------------------ the endpoint


def authorised(request: HttpRequest) -> bool:
    """The request carries the metrics token (compared in constant time)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or not settings.METRICS_TOKEN:
        return False
    return hmac.compare_digest(token.strip().encode(), settings.METRICS_TOKEN.encode())


def exposition() -> HttpResponse:
    """Prometheus' text format: every process of this machine, added up."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
