"""People see, change, export and delete their own account data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cityexchange.core.models import ApiToken, AuditEntry, Membership, User
from cityexchange.core.services import api_token_create

pytestmark = pytest.mark.django_db


def test_the_account_page_needs_a_sign_in(client: Client) -> None:
    response = client.get("/en/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/account/login/")


def test_a_member_changes_the_language_of_their_mail(client: Client, member: Any) -> None:
    client.force_login(member)
    response = client.post(
        "/en/account/", {"full_name": "Ana Lima", "language": "pt", "timezone": "America/Sao_Paulo"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.full_name, member.language, member.timezone) == (
        "Ana Lima",
        "pt",
        "America/Sao_Paulo",
    )
    assert AuditEntry.objects.filter(action="user.update_profile", actor=member).exists()


def test_an_unknown_time_zone_is_a_form_error_and_nothing_changes(
    client: Client, member: Any
) -> None:
    client.force_login(member)
    response = client.post(
        "/de/account/", {"full_name": "X", "language": "de", "timezone": "Mars/Base"}
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    member.refresh_from_db()
    assert member.full_name != "X"


def test_the_export_holds_the_account_and_memberships(client: Client, member: Any) -> None:
    api_token_create(user=member, name="script")
    client.force_login(member)
    response = client.get("/en/account/export.json")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == member.email
    assert data["memberships"][0]["organisation"] == "Lindenau"
    assert data["api_tokens"][0]["name"] == "script"
    assert "key_hash" not in json.dumps(data)


def test_erasing_needs_the_right_email_and_then_removes_personal_data(
    client: Client, member: Any
) -> None:
    api_token_create(user=member, name="script")
    client.force_login(member)
    wrong = client.post("/en/account/erase/", {"confirm_email": "someone@else.example"})
    assert wrong.status_code == 400
    assert User.objects.get(pk=member.pk).is_active

    response = client.post("/en/account/erase/", {"confirm_email": member.email.upper()})
    assert response.status_code == 302
    erased = User.objects.get(pk=member.pk)
    assert not erased.is_active
    assert erased.email == f"erased-{member.pk}@invalid"
    assert erased.full_name == ""
    assert not erased.has_usable_password()
    assert not Membership.objects.filter(user=erased).exists()
    assert not ApiToken.objects.filter(user=erased).exists()
    # Signed out, and the old address cannot sign in again.
    assert client.get("/en/account/").status_code == 302
    assert not client.login(username=member.email, password="correct horse battery")
