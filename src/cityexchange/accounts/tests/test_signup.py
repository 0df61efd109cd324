"""Signing up, verifying the address, signing in and resetting a forgotten password."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import Client, override_settings

from cityexchange.accounts.models import PrivacyConsent
from cityexchange.core.models import AuditEntry, User

pytestmark = pytest.mark.django_db(transaction=False)

PASSWORD = "a long and quiet river"


def _signup(client: Client, language: str = "de", **overrides: Any) -> Any:
    data = {
        "email": "ana@lindenau.example",
        "full_name": "Ana Lima",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "language": "pt",
        "timezone": "America/Sao_Paulo",
        "privacy_consent": "on",
        **overrides,
    }
    return client.post(f"/{language}/account/signup/", data)


def _link(body: str) -> str:
    match = re.search(r"http://testserver\S+|https?://[^\s]+/account/\S+", body)
    assert match, body
    return match.group(0).rstrip(".")


def test_a_new_person_signs_up_and_is_asked_to_verify_their_address(
    client: Client, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.SITE_URL = "https://cityexchange.example"
    with django_capture_on_commit_callbacks(execute=True):
        response = _signup(client)
    assert response.status_code == 302
    assert response["Location"] == "/de/account/confirm-email/"
    user = User.objects.get(email="ana@lindenau.example")
    assert (user.full_name, user.language, user.timezone) == ("Ana Lima", "pt", "America/Sao_Paulo")
    assert PrivacyConsent.objects.get(user=user).notice_version == "2025-01"
    assert AuditEntry.objects.filter(action="user.signup", object_id=str(user.pk)).exists()
    assert not EmailAddress.objects.get(user=user).verified
    [message] = mail.outbox
    # In the language the person chose, with a link to the site's own address in it.
    assert "Por favor" in message.body or "confirm" in message.body.lower()
    link = _link(message.body)
    assert link.startswith("https://cityexchange.example/pt/account/confirm-email/")
    html = message.alternatives[0][0]
    assert 'lang="pt"' in html and link in html


def test_an_unverified_account_cannot_sign_in(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client)
    client.logout()
    response = client.post(
        "/en/account/login/", {"login": "ana@lindenau.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/account/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_following_the_link_verifies_the_address_once(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client)
    path = "/" + _link(mail.outbox[0].body).split("/", 3)[3]
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="ana@lindenau.example").verified
    client.logout()
    again = client.get(path.replace("/pt/", "/de/")).content.decode()
    assert "Bestätigungslink ist leider abgelaufen" in again
    assert 'name="key"' not in again


def test_a_guessed_verification_link_is_refused(client: Client) -> None:
    response = client.get("/de/account/confirm-email/not-a-real-key/")
    content = response.content.decode()
    assert "Bestätigungslink ist leider abgelaufen" in content
    assert not EmailAddress.objects.filter(verified=True).exists()


def test_sign_up_without_consent_is_a_form_error_and_creates_nothing(client: Client) -> None:
    response = _signup(client, language="es", privacy_consent="")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'aria-invalid="true"' in content and 'id="id_privacy_consent_error"' in content
    assert not User.objects.filter(email="ana@lindenau.example").exists()


def test_an_unknown_time_zone_is_a_form_error(client: Client) -> None:
    response = _signup(client, timezone="Mars/Olympus")
    assert response.status_code == 200
    assert not User.objects.exists()


def test_signing_up_with_a_known_address_answers_the_same_and_tells_the_owner(
    client: Client, member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _signup(client, email=member.email)
    assert response.status_code == 302
    assert response["Location"] == "/de/account/confirm-email/"
    assert User.objects.filter(email=member.email).count() == 1
    [message] = mail.outbox
    assert message.to == [member.email]
    assert "/en/account/password/reset/" in message.body


def test_an_account_the_network_created_signs_in_with_its_password(
    client: Client, member: Any
) -> None:
    assert not EmailAddress.objects.filter(user=member).exists()
    response = client.post(
        "/en/account/login/", {"login": member.email, "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)
    assert EmailAddress.objects.get(user=member).verified


def test_wrong_passwords_lock_the_address_out_even_for_the_right_one(
    client: Client, member: Any
) -> None:
    for _ in range(6):
        client.post("/en/account/login/", {"login": member.email, "password": "wrong"})
    response = client.post(
        "/en/account/login/", {"login": member.email, "password": "correct horse battery"}
    )
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


def test_many_different_searches_do_not_lift_a_lockout(client: Client, member: Any) -> None:
    # The lockout is counted in the shared cache. With little room there (the embedded
    # file cache deletes entries at random when full), a stranger's searches must not
    # push the count out and give the address new tries.
    room = copy.deepcopy(settings.CACHES)
    if room["default"]["BACKEND"].endswith("FileCache"):
        room["default"]["OPTIONS"] = {"MAX_ENTRIES": 20, "CULL_FREQUENCY": 2}
    with override_settings(CACHES=room):
        for _ in range(6):
            client.post("/en/account/login/", {"login": member.email, "password": "wrong"})
        stranger = Client()
        for n in range(60):
            answer = stranger.get("/api/v1/library/search", {"q": f"harbour{n} crane"})
            assert answer.status_code == 200
        response = client.post(
            "/en/account/login/", {"login": member.email, "password": "correct horse battery"}
        )
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


def test_the_back_office_signs_in_through_the_site_sign_in(client: Client) -> None:
    response = client.get("/de/admin/login/?next=/de/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/de/account/login/?next=%2Fde%2Fadmin%2F"


def test_the_old_sign_in_address_leads_to_the_new_one(client: Client) -> None:
    response = client.get("/pt/login/?next=/pt/events/")
    assert response.status_code == 302
    assert response["Location"] == "/pt/account/login/?next=/pt/events/"


def test_a_forgotten_password_is_reset_by_mail_once(
    client: Client, member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    member.language = "es"
    member.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/de/account/password/reset/", {"email": member.email})
    assert response.status_code == 302
    [message] = mail.outbox
    link = _link(message.body)
    assert "/es/account/password/reset/key/" in link
    path = "/" + link.split("/", 3)[3]
    form_page = client.get(path, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    response = client.post(
        action, {"password1": "a new and longer secret", "password2": "a new and longer secret"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("a new and longer secret")
    reused = client.get(path, follow=True)
    assert "inválido" in reused.content.decode() or "invalid" in reused.content.decode().lower()


def test_a_reset_for_an_unknown_address_answers_the_same(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/de/account/password/reset/", {"email": "nobody@nowhere.example"})
    assert response.status_code == 302
    assert response["Location"] == "/de/account/password/reset/done/"


def test_a_network_account_that_reset_its_password_still_signs_in(
    client: Client, member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # allauth records the address unverified while handling the reset request.
    EmailAddress.objects.create(user=member, email=member.email, verified=False, primary=True)
    response = client.post(
        "/en/account/login/", {"login": member.email, "password": "correct horse battery"}
    )
    assert response.status_code == 302 and response["Location"] == "/en/account/"


def test_a_self_sign_up_is_never_verified_by_signing_in(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _signup(client)
    client.logout()
    client.post("/en/account/login/", {"login": "ana@lindenau.example", "password": PASSWORD})
    assert not EmailAddress.objects.get(email="ana@lindenau.example").verified
