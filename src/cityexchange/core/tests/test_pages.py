"""Pages of the core app in four languages, the switcher, errors and time zones."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

HEADINGS = {
    "en": "Learn from cities worldwide",
    "de": "Von Städten weltweit lernen",
    "es": "Aprenda de ciudades de todo el mundo",
    "pt": "Aprenda com cidades do mundo inteiro",
}


@pytest.mark.parametrize("language", ["de", "en", "es", "pt"])
def test_the_home_page_speaks_each_language(client: Client, language: str) -> None:
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert HEADINGS[language] in html


def test_a_visitor_without_prefix_is_sent_to_their_browser_language(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9")
    assert response.status_code == 302
    assert response["Location"] == "/pt/"


def test_language_links_keep_the_page_and_its_query(client: Client) -> None:
    html = client.get("/en/privacy/?x=1").content.decode()
    assert 'href="/de/privacy/?x=1"' in html
    assert 'href="/pt/privacy/?x=1"' in html


@pytest.mark.parametrize(
    "path", ["/en/imprint/", "/en/privacy/", "/en/accessibility/", "/en/login/"]
)
def test_the_about_pages_exist(client: Client, path: str) -> None:
    assert client.get(path).status_code == 200


def test_missing_pages_get_a_404_in_the_users_language(client: Client, settings: Any) -> None:
    settings.DEBUG = False
    response = client.get("/de/does-not-exist/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


def test_pages_send_a_strict_content_security_policy(client: Client) -> None:
    policy = client.get("/en/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_pages_load_nothing_from_other_hosts(client: Client) -> None:
    html = client.get("/en/").content.decode()
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert [url for url in external if "127.0.0.1" not in url and "testserver" not in url] == []


def test_sign_in_by_email(client: Client, member: Any) -> None:
    response = client.post(
        "/en/login/", {"username": member.email, "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert client.get("/en/").context["user"] == member


def test_a_wrong_password_shows_a_form_error_in_german(client: Client, member: Any) -> None:
    response = client.post("/de/login/", {"username": member.email, "password": "nope"})
    assert response.status_code == 200
    assert "Bitte" in response.content.decode() and 'role="alert"' in response.content.decode()


def test_the_chosen_time_zone_is_remembered(client: Client) -> None:
    response = client.post("/en/timezone/", {"timezone": "America/Lima", "next": "/en/privacy/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/privacy/"
    assert 'value="America/Lima" selected' in client.get("/en/").content.decode()


def test_the_time_zone_form_does_not_redirect_to_other_sites(client: Client) -> None:
    response = client.post(
        "/en/timezone/", {"timezone": "Mars/Olympus", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    assert "cx_tz" not in response.cookies
