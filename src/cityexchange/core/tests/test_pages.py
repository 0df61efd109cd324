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
    "path", ["/en/imprint/", "/en/privacy/", "/en/accessibility/", "/en/account/login/"]
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
        "/en/account/login/", {"login": member.email, "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert client.get("/en/").context["user"] == member


def test_a_wrong_password_shows_a_form_error_in_german(client: Client, member: Any) -> None:
    response = client.post("/de/account/login/", {"login": member.email, "password": "nope"})
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


def test_portuguese_is_brazilian_in_djangos_own_texts_too(client: Client) -> None:
    """Our texts are Brazilian Portuguese; the admin and form errors must not switch to Portugal's."""
    admin_login = client.get("/pt/admin/login/", follow=True).content.decode()
    assert "Senha" in admin_login
    assert "Palavra-passe" not in admin_login

    required = client.post("/pt/account/login/", {"login": "", "password": ""}).content.decode()
    assert "Este campo é obrigatório." in required
    # Our own translation of a message Django also has stays ours.
    assert "Pular para o conteúdo principal" in client.get("/pt/").content.decode()


def test_the_site_icon_is_declared_and_served(client: Client) -> None:
    html = client.get("/en/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)"', html)
    assert icon is not None
    assert client.get(icon.group(1)).status_code == 200
    legacy = client.get("/favicon.ico")
    assert legacy.status_code == 302 and legacy["Location"] == icon.group(1)


def test_the_home_page_shows_the_next_editions_and_new_knowledge(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    import datetime as dt

    from cityexchange.events.tests.factories import EventFactory
    from cityexchange.library.services import resource_create

    EventFactory(title="Digital twins for small towns", title_en="Digital twins for small towns")
    EventFactory(title="Draft edition", title_en="Draft edition", status="draft")
    for n in range(5):
        resource_create(
            actor=None,
            slug=f"guide-{n}",
            kind="guideline",
            title={"en": f"Guide {n}", "de": f"Leitfaden {n}"},
            status="published",
            published_on=dt.date(2026, 1, 1 + n),
        )

    with django_assert_max_num_queries(12):
        html = client.get("/de/").content.decode()

    assert "Die nächsten Ausgaben" in html
    assert "Digital twins for small towns" in html
    assert "Draft edition" not in html
    # The three newest, in German, newest first.
    assert html.index("Leitfaden 4") < html.index("Leitfaden 3") < html.index("Leitfaden 2")
    assert "Leitfaden 1" not in html


def test_the_api_reference_lists_every_endpoint_with_its_fields(client: Client) -> None:
    from cityexchange.api import api

    html = client.get("/es/api/").content.decode()

    assert "Referencia de la API" in html
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method in operations:
            assert f"{method.upper()} {path}" in html, (method, path)
    # The registration's body, with the consent version a client must send.
    registration = html[html.index("POST /api/v1/events/{slug}/registrations") :]
    assert "<code>privacy_notice_version</code>" in registration
    assert "Cuerpo de la solicitud (JSON)" in registration


def test_the_privacy_notice_has_a_part_for_every_app_that_keeps_personal_data(
    client: Client, settings: Any
) -> None:
    from django.apps import apps

    settings.CITYEXCHANGE_RETENTION_DAYS = 200
    page = client.get("/de/privacy/").content.decode()
    headings = re.findall(r"<h2>([^<]+)</h2>", page)
    keeping = [
        config
        for config in apps.get_app_configs()
        if config.name.startswith("cityexchange.") and hasattr(config, "personal_data")
    ]
    assert keeping
    for config in keeping:
        assert getattr(config, "privacy_template", ""), f"{config.label} says nothing"
    # One part per such app (and for accounts and events), then cookies and logs.
    assert len(headings) == len(set(headings)) >= len(keeping) + 2
    assert "Konten" in headings and "Protokolle" in headings
    assert "200 Tage nach der Veranstaltung" in page
    assert "mindestens 5 Kommunen" in page
    # Personal recommendations are tied to the digest, and the notice says so.
    assert "Solange Sie abonniert haben, kann Ihnen das Netzwerkteam" in page
