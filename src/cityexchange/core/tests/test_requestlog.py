"""JSON request lines with request ids, and no personal data in any log line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings

from cityexchange.core import requestlog
from cityexchange.core.accesslog import RedactTokens
from cityexchange.core.services import api_token_create
from cityexchange.core.tests.factories import UserFactory
from cityexchange.events.services import privacy_notice_version
from cityexchange.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

EMAIL = "rahul.mehta@pune.example"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The root logger's output as the JSON configuration writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactTokens())
    handler.addFilter(requestlog.RequestIdFilter())
    handler.setFormatter(requestlog.JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    with override_settings(LOG_FORMAT="json"):
        yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_each_request_is_one_json_line_with_its_request_id(
    client: Client, json_log: io.StringIO
) -> None:
    response = client.get("/api/v1/events/ping")
    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    [line] = [entry for entry in lines(json_log) if entry["logger"] == "cityexchange.request"]
    assert line["method"] == "GET"
    assert line["path"] == "/api/v1/events/ping"
    assert line["status"] == 200
    assert line["view"] == "api:ping"
    assert line["request_id"] == request_id
    assert isinstance(line["duration_ms"], float)


def test_a_proxys_request_id_is_kept_and_an_implausible_one_replaced(client: Client) -> None:
    kept = client.get("/api/v1/health", HTTP_X_REQUEST_ID="nginx-0123456789abcdef")
    assert kept["X-Request-ID"] == "nginx-0123456789abcdef"
    replaced = client.get("/api/v1/health", HTTP_X_REQUEST_ID="<script>x</script>")
    assert replaced["X-Request-ID"] != "<script>x</script>"
    assert len(replaced["X-Request-ID"]) == 32


def test_text_logs_have_no_request_line(client: Client, json_log: io.StringIO) -> None:
    with override_settings(LOG_FORMAT="text"):
        client.get("/api/v1/events/ping")
    assert not [e for e in lines(json_log) if e["logger"] == "cityexchange.request"]


def test_no_log_line_keeps_an_email_address_or_a_token(
    client: Client, json_log: io.StringIO, django_capture_on_commit_callbacks: Any
) -> None:
    event = EventFactory()
    body = {
        "name": "Rahul Mehta",
        "email": EMAIL,
        "privacy_consent": True,
        "privacy_notice_version": privacy_notice_version(),
    }
    with django_capture_on_commit_callbacks(execute=True):
        registered = client.post(
            f"/api/v1/events/{event.slug}/registrations?email={EMAIL}",
            body,
            content_type="application/json",
        )
    assert registered.status_code == 202
    assert mail.outbox and mail.outbox[-1].to == [EMAIL]
    # A personal link, an API token and an address in a path.
    personal = "Zq8xVb3NpLw2RtYk5MhC7dJf"
    assert client.get(f"/en/events/registration/{personal}/").status_code == 404
    staff = UserFactory(email="staff.person@ministry.example", is_staff=True)
    _token, raw = api_token_create(user=staff, name="script")
    client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.get(f"/api/v1/events/{EMAIL}")
    # Code that logs personal data by mistake is masked too.
    logging.getLogger("cityexchange.somewhere").warning(
        "Could not reach %s with key %s", EMAIL, raw
    )
    try:
        raise ValueError(f"bad address {EMAIL}")
    except ValueError:
        logging.getLogger("cityexchange.somewhere").exception("Failed")
    output = json_log.getvalue()
    entries = lines(json_log)
    paths = [e["path"] for e in entries if e["logger"] == "cityexchange.request"]
    assert len(paths) == 4, paths
    assert any(e["message"] == "Mail delivered" for e in entries)
    assert "@" not in output
    assert "pune.example" not in output
    assert personal not in output
    assert raw not in output and raw[3:] not in output
    assert "/registration/[token]/" in output
    assert "[email]" in output


def test_the_request_id_travels_with_a_queued_task_and_into_its_log_lines() -> None:
    headers: dict[str, Any] = {}
    token = requestlog.REQUEST_ID.set("req-1234567890")
    try:
        requestlog.on_before_task_publish(headers=headers)
    finally:
        requestlog.REQUEST_ID.reset(token)
    assert headers[requestlog.HEADER] == "req-1234567890"
    assert headers[requestlog.PUBLISHED_HEADER] > 0

    class Request:
        is_eager = False
        cityexchange_request_id = headers[requestlog.HEADER]

    class Task:
        request = Request()

    requestlog.on_task_prerun(task_id="t-1", task=Task())
    record = logging.LogRecord("celery.task", logging.INFO, __file__, 1, "Mail delivered", (), None)
    requestlog.RequestIdFilter().filter(record)
    requestlog.on_task_postrun(task=Task())
    assert json.loads(requestlog.JsonFormatter().format(record))["request_id"] == "req-1234567890"
    assert requestlog.current_request_id() is None
