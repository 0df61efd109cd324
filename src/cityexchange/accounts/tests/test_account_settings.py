"""Changing the address, signing out elsewhere, and accounts that existed before sign-up."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core import mail
from django.test import Client

from cityexchange.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def _sign_in(client: Client, user: Any) -> None:
    response = client.post("/en/account/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_a_new_address_is_used_only_once_it_is_verified(
    client: Client, member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    member.language = "de"
    member.save(update_fields=["language"])
    _sign_in(client, member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/account/email/", {"email": "neu@lindenau.example", "action_add": ""}
        )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["neu@lindenau.example"]
    assert "/de/account/confirm-email/" in message.body
    member.refresh_from_db()
    assert member.email == "member@lindenau.example"
    assert not EmailAddress.objects.get(email="neu@lindenau.example").verified


def test_signing_out_everywhere_ends_the_other_sessions(member: Any) -> None:
    laptop, phone = Client(), Client()
    _sign_in(laptop, member)
    _sign_in(phone, member)
    assert phone.get("/en/account/").status_code == 200
    assert laptop.post("/en/account/sessions/").status_code == 302
    assert phone.get("/en/account/").status_code == 302
    assert laptop.get("/en/account/").status_code == 200


def test_the_migration_verifies_the_addresses_of_existing_accounts() -> None:
    existing = UserFactory(email="Old.Timer@Example.org")
    erased = UserFactory(email="erased-9@invalid")
    migration = importlib.import_module("cityexchange.accounts.migrations.0001_initial")
    migration.verify_existing_addresses(apps, None)
    address = EmailAddress.objects.get(user=existing)
    assert (address.email, address.verified, address.primary) == (
        "old.timer@example.org",
        True,
        True,
    )
    assert not EmailAddress.objects.filter(user=erased).exists()
    # Run twice (a re-applied migration), nothing is doubled.
    migration.verify_existing_addresses(apps, None)
    assert EmailAddress.objects.filter(user=existing).count() == 1


def test_an_erased_account_leaves_no_address_behind_and_the_address_can_sign_up_again(
    client: Client, member: Any, municipality: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from cityexchange.accounts.models import JoinRequest

    _sign_in(client, member)
    JoinRequest.objects.create(user=member, organisation=None, proposed_name="X", message="hi")
    export = client.get("/en/account/export.json").json()
    assert export["accounts"]["email_addresses"][0]["email"] == member.email
    assert export["accounts"]["join_requests"][0]["message"] == "hi"
    client.post("/en/account/erase/", {"confirm_email": member.email})
    assert not EmailAddress.objects.filter(email__iexact="member@lindenau.example").exists()
    assert not JoinRequest.objects.filter(user=member).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/account/signup/",
            {
                "email": "member@lindenau.example",
                "password1": "a long and quiet river",
                "password2": "a long and quiet river",
                "language": "en",
                "timezone": "Europe/Berlin",
                "privacy_consent": "on",
            },
        )
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["member@lindenau.example"]
    assert "confirm" in mail.outbox[-1].subject.lower()
