"""Bad input to every API operation and every page: a 4xx with a message, never a 500.

Operations are read from the published OpenAPI document and pages from the URL
configuration, so a new endpoint or page is covered without being listed here. Runs
on whichever engine the suite uses (PostgreSQL refuses NUL in text and overflows on
huge integers where SQLite shrugs; both must answer alike).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from cityexchange.events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

HUGE = "9223372036854775808"
QUERY_VALUES = ["a\x00b", HUGE, "-" + HUGE, "1e309", "x" * 5000, "\u202e𝔘\u200b", "%00", ""]
BODIES: list[tuple[str, bytes]] = [
    ("application/json", b'{"name": "a\\u0000b", "email": "a\\u0000@x.org", "q": "\\u0000"}'),
    ("application/json", b'{"description": "\\u0000", "answers": {"\\u0000": 1}}'),
    ("application/json", b'{"name": "\\ud800", "email": "x@y.org", "description": "\\udfff"}'),
    ("application/json", b'{"page": ' + HUGE.encode() + b', "value": 1e400}'),
    ("application/json", b"[" * 5000 + b"]" * 5000),
    ("application/json", b"{not json"),
    ("text/plain", b"name=x"),
    ("multipart/form-data", b"name=x"),  # no boundary
    ("multipart/form-data; boundary=zz", b"--zz\r\nbroken"),
    ("application/json", b'{"description": "' + b"x" * (6 * 1024 * 1024) + b'"}'),
]


@pytest.fixture
def world(staff_token: str) -> dict[str, Any]:
    event = EventFactory()
    return {"slug": event.slug, "token": staff_token}


def _operations() -> Iterator[tuple[str, str, list[dict[str, Any]], bool]]:
    from cityexchange.api import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield method.upper(), path, operation.get("parameters", []), "requestBody" in operation


def _fill(path: str, world: dict[str, Any], value: str | None = None) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if value is not None:
            return value
        return world["slug"] if name == "slug" else "1"

    return re.sub(r"\{(\w+)\}", one, path)


def _call(client: Client, method: str, url: str, **kwargs: Any) -> Any:
    return client.generic(method, url, **kwargs)


@pytest.fixture(autouse=True)
def _each_request_in_a_savepoint(monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL one failed statement aborts the test's transaction; roll each
    request back to its own savepoint so the next one is judged on its own."""
    request = Client.request

    def isolated(self: Client, **kwargs: Any) -> Any:
        point = transaction.savepoint()
        try:
            return request(self, **kwargs)
        finally:
            transaction.savepoint_rollback(point)

    monkeypatch.setattr(Client, "request", isolated)


def _problem(response: Any, what: str) -> str | None:
    """What is wrong with an answer to bad input, or None."""
    if response.status_code >= 500:
        return f"{what}: {response.status_code}"
    if response.status_code >= 400 and response.get("Content-Type", "").startswith(
        "application/json"
    ):
        if not json.loads(response.content).get("detail"):
            return f"{what}: no readable detail"
    return None


@pytest.mark.parametrize("authorised", [False, True], ids=["anonymous", "staff-token"])
def test_api_query_and_path_parameters_never_give_a_server_error(
    client: Client, world: dict[str, Any], authorised: bool
) -> None:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world['token']}"} if authorised else {}
    problems = []
    for method, path, parameters, _has_body in _operations():
        if method != "GET":
            continue
        for parameter in parameters:
            for value in QUERY_VALUES:
                if parameter["in"] == "query":
                    url = _fill(path, world)
                    response = client.get(url, {parameter["name"]: value}, **headers)
                elif parameter["in"] == "path" and "\x00" not in value and value:
                    url = _fill(path, world, value.replace("/", ""))
                    response = client.get(url, **headers)
                else:
                    continue
                problems.append(
                    _problem(response, f"{method} {path} {parameter['name']}={value!r:.40}")
                )
    assert not [p for p in problems if p], [p for p in problems if p]


@pytest.mark.parametrize("authorised", [False, True], ids=["anonymous", "staff-token"])
def test_api_bodies_never_give_a_server_error(
    client: Client, world: dict[str, Any], authorised: bool
) -> None:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world['token']}"} if authorised else {}
    problems = []
    for method, path, _parameters, has_body in _operations():
        if not has_body:
            continue
        url = _fill(path, world)
        for content_type, body in BODIES:
            response = client.generic(method, url, body, content_type=content_type, **headers)
            problems.append(_problem(response, f"{method} {path} {body[:40]!r}"))
    assert not [p for p in problems if p], [p for p in problems if p]


def test_nul_in_a_field_is_refused_naming_the_field(client: Client, world: dict[str, Any]) -> None:
    response = client.post(
        f"/api/v1/events/{world['slug']}/registrations",
        '{"name": "Ana\\u0000", "email": "ana@example.org"}',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 400
    assert "«name»" in response.json()["detail"]
    page = client.get("/de/events/", {"topic": "wasser\x00"})
    assert page.status_code == 400
    assert "„topic“" in page.content.decode()


def test_an_oversized_body_is_refused_with_413(client: Client, world: dict[str, Any]) -> None:
    response = client.post(
        "/api/v1/finder",
        b'{"description": "' + b"x" * (6 * 1024 * 1024) + b'"}',
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json()["detail"]


def _page_routes() -> Iterator[str]:
    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and "<" not in route:
                yield route

    for route in walk(get_resolver().url_patterns, "/"):
        route = route.replace("^", "").replace("$", "")
        if route.startswith(("/api/", "/static/", "/media/")) or "admin" in route:
            continue
        yield route.replace("/en/", "/en/") if route.startswith("/en/") else route


PAGE_QUERIES = [
    {"page": HUGE},
    {"page": "-1"},
    {"q": "wasser\x00"},
    {"topic": "\x00", "kind": "\x00", "year": HUGE, "format": "x" * 3000},
    {"tz": "../../etc/passwd"},
]


def test_pages_with_bad_query_parameters_never_give_a_server_error(
    client: Client, world: dict[str, Any]
) -> None:
    routes = [r for r in _page_routes() if not r.endswith(".xml")]
    assert len(routes) > 10
    problems = []
    for route in routes:
        url = route if route.startswith("/en") else "/en" + route
        for query in PAGE_QUERIES:
            response = client.get(url, query)
            problems.append(_problem(response, f"GET {url} {query!r:.60}"))
    assert not [p for p in problems if p], [p for p in problems if p]


def test_forms_posted_with_bad_input_never_give_a_server_error(
    client: Client, world: dict[str, Any], staff: Any
) -> None:
    client.force_login(staff)
    routes = [r for r in _page_routes() if not r.endswith(".xml")]
    problems = []
    for route in routes:
        url = route if route.startswith("/en") else "/en" + route
        for data in ({"name": "\x00", "email": "x\x00@y.org", "q": "\x00"}, {"page": HUGE}):
            problems.append(_problem(client.post(url, data), f"POST {url} {data!r:.60}"))
        response = client.post(url, "x=1", content_type="text/plain")
        problems.append(_problem(response, f"POST {url} text/plain"))
    assert not [p for p in problems if p], [p for p in problems if p]


def test_a_single_value_parameter_sent_twice_is_refused_naming_it(
    client: Client, world: dict[str, Any]
) -> None:
    """``?topic=nonsense&topic=`` once passed as "no topic" and listed every offer."""
    response = client.get("/api/v1/offers?topic=nonsense&topic=", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 422
    body = json.loads(response.content)
    assert body["errors"] == [{"field": "topic", "message": "diesen Parameter nur einmal angeben"}]
    assert client.get("/api/v1/offers?topic=").status_code == 200
