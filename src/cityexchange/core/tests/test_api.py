"""The API's shared contract: health, list shape, error shape, token authentication."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cityexchange.core.models import ApiToken
from cityexchange.core.services import api_token_create, api_token_revoke
from cityexchange.core.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_lists_have_items_and_count_and_paginate(client: Client) -> None:
    for n in range(25):
        OrganisationFactory(name=f"Town {n:02d}", name_en=f"Town {n:02d}", country="PE")
    first = client.get("/api/v1/organisations", {"country": "pe"}).json()
    assert first["count"] == 25
    assert len(first["items"]) == 20
    second = client.get("/api/v1/organisations", {"country": "PE", "page": 2}).json()
    assert [item["name"] for item in second["items"]] == [
        "Town 20",
        "Town 21",
        "Town 22",
        "Town 23",
        "Town 24",
    ]


def test_invalid_input_gets_422_with_a_readable_detail(client: Client) -> None:
    response = client.get("/api/v1/organisations", {"kind": "spaceship"})
    assert response.status_code == 422
    body = response.json()
    assert isinstance(body["detail"], str)
    assert "kind" in body["detail"]
    assert body["errors"][0]["field"] == "kind"


def test_a_page_number_below_one_is_refused(client: Client) -> None:
    response = client.get("/api/v1/organisations", {"page": 0})
    assert response.status_code == 422
    assert "page" in response.json()["detail"]


def test_unknown_paths_get_a_json_404(client: Client) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_errors_speak_the_language_of_the_request(client: Client) -> None:
    response = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Anmeldung erforderlich")


def test_openapi_describes_the_api(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "cityexchange API"
    assert "/api/v1/health" in spec["paths"]
    assert client.get("/api/v1/docs").status_code == 200


class TestTokens:
    def test_a_valid_token_authenticates(
        self, client: Client, staff: Any, staff_token: str
    ) -> None:
        response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {staff_token}")
        assert response.status_code == 200
        assert response.json()["email"] == staff.email
        assert "network_staff" in response.json()["roles"]

    def test_it_stores_only_a_hash(self, staff: Any) -> None:
        token, raw = api_token_create(user=staff, name="script")
        stored = ApiToken.objects.get(pk=token.pk)
        assert raw not in (stored.key_hash, stored.prefix)
        assert raw.startswith(stored.prefix)

    @pytest.mark.parametrize("header", ["Bearer cx_wrong", "Bearer ", "Token abc", "Bearer nocx"])
    def test_a_wrong_token_gets_401(self, client: Client, staff: Any, header: str) -> None:
        response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401
        assert "detail" in response.json()

    def test_a_revoked_token_no_longer_works(self, client: Client, staff: Any) -> None:
        token, raw = api_token_create(user=staff, name="old")
        api_token_revoke(token=token)
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401

    def test_the_session_works_for_the_browser(self, client: Client, member: Any) -> None:
        client.force_login(member)
        body = client.get("/api/v1/me").json()
        assert len(body["organisations"]) == 1


def test_no_two_api_schemas_share_a_name() -> None:
    """The OpenAPI document names each schema after its class: two classes of one name
    publish one of them for both (the network's member organisations once stood in for
    the directory's organisations, and every organisations answer broke its schema)."""
    import importlib

    from django.apps import apps
    from ninja import Schema

    for config in apps.get_app_configs():
        if config.name.startswith("cityexchange."):
            try:
                importlib.import_module(f"{config.name}.api")
            except ModuleNotFoundError:
                continue
    seen: dict[str, str] = {}
    clashes = []

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            # Nested classes (a paginator's query parameters) are not published by name.
            if sub.__module__.startswith("cityexchange.") and "." not in sub.__qualname__:
                where = f"{sub.__module__}.{sub.__qualname__}"
                if seen.setdefault(sub.__name__, where) != where:
                    clashes.append((seen[sub.__name__], where))
            walk(sub)

    walk(Schema)
    assert clashes == []
