"""The Prometheus endpoint: off by default, behind a token when on, and what it counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from prometheus_client import REGISTRY

from cityexchange.events.services import privacy_notice_version
from cityexchange.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-0123456789abcdef"


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_are_404_while_off(client: Client) -> None:
    response = client.get("/api/v1/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 404
    assert response.json()["detail"]


@override_settings(METRICS_TOKEN=TOKEN)
def test_metrics_need_the_token(client: Client) -> None:
    assert client.get("/api/v1/metrics").status_code == 401
    wrong = client.get("/api/v1/metrics", HTTP_AUTHORIZATION="Bearer metrics-token-wrong-guess00")
    assert wrong.status_code == 401
    assert "cityexchange_" not in wrong.content.decode()
    # A session does not open it either: it is for scrapers holding the token.
    from cityexchange.core.tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/api/v1/metrics").status_code == 401


@override_settings(METRICS_TOKEN=TOKEN, RATELIMIT_ENABLE=False)
def test_a_scrape_shows_requests_queries_registrations_searches_and_finder_requests(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    event = EventFactory(capacity_online=5)
    requests_before = value(
        "cityexchange_http_requests_total", view="api:ping", method="GET", status="200"
    )
    queries_before = value("cityexchange_db_queries_total", view="api:event_list")
    registrations_before = value("cityexchange_registrations_total", status="confirmed")
    searches_before = value("cityexchange_searches_total", interface="api")
    finder_before = value("cityexchange_finder_requests_total", interface="api")

    client.get("/api/v1/events/ping")
    client.get("/api/v1/events")
    with django_capture_on_commit_callbacks(execute=True):
        registered = client.post(
            f"/api/v1/events/{event.slug}/registrations",
            {
                "name": "Ana Souza",
                "email": "ana@recife.example",
                "privacy_consent": True,
                "privacy_notice_version": privacy_notice_version(),
            },
            content_type="application/json",
        )
    assert registered.status_code == 202
    assert client.get("/api/v1/library/search", {"q": "open data"}).status_code == 200
    finder = client.post("/api/v1/finder", {"description": "open data"}, "application/json")
    assert finder.status_code == 200

    scrape = client.get("/api/v1/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert scrape.status_code == 200
    assert scrape["Content-Type"].startswith("text/plain")
    text = scrape.content.decode()
    for name in (
        "cityexchange_http_requests_total",
        "cityexchange_http_request_duration_seconds_bucket",
        "cityexchange_db_queries_total",
        "cityexchange_tasks_total",
        "cityexchange_task_queue_latency_seconds",
        "cityexchange_registrations_total",
        "cityexchange_searches_total",
        "cityexchange_finder_requests_total",
    ):
        assert f"# TYPE {name.removesuffix('_bucket').removesuffix('_total')}" in text, name
    assert 'view="api:ping"' in text
    assert (
        value("cityexchange_http_requests_total", view="api:ping", method="GET", status="200")
        == requests_before + 1
    )
    assert value("cityexchange_db_queries_total", view="api:event_list") > queries_before
    assert value("cityexchange_registrations_total", status="confirmed") == registrations_before + 1
    assert value("cityexchange_searches_total", interface="api") == searches_before + 1
    assert value("cityexchange_finder_requests_total", interface="api") == finder_before + 1
    # Nothing in it names a person.
    assert "@" not in text and "recife" not in text


@override_settings(METRICS_TOKEN=TOKEN)
def test_tasks_on_a_worker_are_counted_with_their_queue_latency() -> None:
    import time

    from cityexchange.core import metrics
    from cityexchange.core.requestlog import PUBLISHED_HEADER

    class Request:
        is_eager = False

    setattr(Request, PUBLISHED_HEADER, time.time() - 2.0)

    class Task:
        name = "cityexchange.core.tasks.send_message"
        request = Request()

    done = value("cityexchange_tasks_total", task=Task.name, state="success")
    failed = value("cityexchange_tasks_total", task=Task.name, state="failure")
    waited = value("cityexchange_task_queue_latency_seconds_sum", task=Task.name)
    metrics.on_task_prerun(task_id="a", task=Task())
    metrics.on_task_postrun(task_id="a", task=Task(), state="SUCCESS")
    metrics.on_task_prerun(task_id="b", task=Task())
    metrics.on_task_postrun(task_id="b", task=Task(), state="FAILURE")
    assert value("cityexchange_tasks_total", task=Task.name, state="success") == done + 1
    assert value("cityexchange_tasks_total", task=Task.name, state="failure") == failed + 1
    assert value("cityexchange_task_queue_latency_seconds_sum", task=Task.name) >= waited + 4.0
