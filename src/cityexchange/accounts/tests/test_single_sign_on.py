"""Single sign-on with OpenID Connect, against an issuer running inside the test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from cityexchange.accounts.models import PrivacyConsent
from cityexchange.accounts.tests.oidc_stub import CLIENT_ID, CLIENT_SECRET, Issuer, running_issuer
from cityexchange.core.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def issuer(settings: Any) -> Iterator[Issuer]:
    claims = {
        "sub": "net-4711",
        "email": "rui@porto.example",
        "email_verified": True,
        "name": "Rui Costa",
    }
    with running_issuer(claims) as running:
        settings.SOCIALACCOUNT_PROVIDERS = {
            "openid_connect": {
                "APPS": [
                    {
                        "provider_id": "oidc",
                        "name": "Network ID",
                        "client_id": CLIENT_ID,
                        "secret": CLIENT_SECRET,
                        "settings": {"server_url": running.url},
                    }
                ]
            }
        }
        yield running


def _through_the_issuer(client: Client, language: str = "en") -> Any:
    start = client.post(f"/{language}/account/oidc/oidc/login/")
    assert start.status_code == 302
    assert start["Location"].startswith("http://127.0.0.1:")
    consent = requests.get(start["Location"], allow_redirects=False, timeout=10)
    callback = urlsplit(consent.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def test_sign_in_offers_the_networks_provider_only_when_configured(
    client: Client, settings: Any
) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = {}
    assert "Network ID" not in client.get("/en/account/login/").content.decode()


def test_a_new_person_signs_up_through_their_networks_identity_provider(
    client: Client, issuer: Issuer
) -> None:
    assert "Network ID" in client.get("/en/account/login/").content.decode()
    response = _through_the_issuer(client, "pt")
    # The person still agrees to the privacy notice and chooses language and zone.
    assert response.status_code == 302
    assert response["Location"] == "/pt/account/3rdparty/signup/"
    form = client.get(response["Location"]).content.decode()
    assert 'name="privacy_consent"' in form
    done = client.post(
        "/pt/account/3rdparty/signup/",
        {
            "email": "rui@porto.example",
            "full_name": "Rui Costa",
            "language": "pt",
            "timezone": "Europe/Lisbon",
            "privacy_consent": "on",
        },
    )
    assert done.status_code == 302
    user = User.objects.get(email="rui@porto.example")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert SocialAccount.objects.get(user=user).uid == "net-4711"
    assert EmailAddress.objects.get(user=user).verified
    assert PrivacyConsent.objects.filter(user=user).exists()
    assert user.timezone == "Europe/Lisbon"


def test_an_existing_account_with_the_verified_address_is_signed_in(
    client: Client, issuer: Issuer, member: Any
) -> None:
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    issuer.claims["email"] = member.email
    response = _through_the_issuer(client)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_a_forged_callback_signs_no_one_in(client: Client, issuer: Issuer) -> None:
    client.post("/en/account/oidc/oidc/login/")
    response = client.get("/de/account/oidc/oidc/login/callback/?code=made-up&state=wrong")
    assert response.status_code == 401
    assert 'lang="de"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="rui@porto.example").exists()
