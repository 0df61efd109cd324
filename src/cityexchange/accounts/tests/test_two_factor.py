"""Staff and administrators set up two-factor sign-in before the back office opens."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from cityexchange.accounts.tests.totp import current_code
from cityexchange.core.roles import Role
from cityexchange.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _two_factor_required(settings: Any) -> None:
    settings.CITYEXCHANGE_STAFF_MFA = True


def _sign_in(client: Client, user: Any, language: str = "en") -> Any:
    return client.post(f"/{language}/account/login/", {"login": user.email, "password": PASSWORD})


def _activate(client: Client, language: str = "en") -> str:
    # allauth asks for the password again before a second factor is added.
    first = client.get(f"/{language}/account/2fa/totp/activate/")
    assert first["Location"].startswith(f"/{language}/account/reauthenticate/")
    client.post(first["Location"], {"password": PASSWORD})
    page = client.get(f"/{language}/account/2fa/totp/activate/").content.decode()
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page)
    assert secret, page
    response = client.post(
        f"/{language}/account/2fa/totp/activate/", {"code": current_code(secret.group(1))}
    )
    assert response.status_code == 302, response.content.decode()
    return secret.group(1)


def test_staff_without_two_factor_are_sent_to_set_it_up(client: Client, staff: Any) -> None:
    _sign_in(client, staff, "de")
    response = client.get("/de/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/de/account/2fa/totp/activate/"
    page = client.get(response["Location"], follow=True).content.decode()
    assert "zweiten Faktor" in page


def test_staff_without_two_factor_get_no_personal_data_from_the_api(
    client: Client, staff: Any
) -> None:
    client.force_login(staff)
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert "authenticator" in response.json()["detail"]


def test_staff_who_set_up_an_authenticator_open_the_back_office(client: Client, staff: Any) -> None:
    _sign_in(client, staff)
    _activate(client)
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get("/en/admin/").status_code == 200


def test_after_set_up_a_password_alone_no_longer_signs_staff_in(client: Client, staff: Any) -> None:
    _sign_in(client, staff)
    secret = _activate(client)
    client.post("/en/account/logout/")
    response = _sign_in(client, staff, "pt")
    assert response["Location"] == "/pt/account/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    wrong = client.post("/pt/account/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "Código incorreto" in wrong.content.decode() or "inválido" in wrong.content.decode()
    right = client.post("/pt/account/2fa/authenticate/", {"code": current_code(secret)})
    assert right.status_code == 302
    assert client.get("/pt/admin/").status_code == 200


def test_a_recovery_code_signs_staff_in_once(client: Client, staff: Any) -> None:
    _sign_in(client, staff)
    _activate(client)
    codes_page = client.get("/en/account/2fa/recovery-codes/").content.decode()
    stored = Authenticator.objects.get(user=staff, type=Authenticator.Type.RECOVERY_CODES)
    code = stored.wrap().get_unused_codes()
    assert code[0] in codes_page
    client.post("/en/account/logout/")
    _sign_in(client, staff)
    assert client.post("/en/account/2fa/authenticate/", {"code": code[0]}).status_code == 302
    client.post("/en/account/logout/")
    _sign_in(client, staff)
    again = client.post("/en/account/2fa/authenticate/", {"code": code[0]})
    assert again.status_code == 200
    assert "_auth_user_id" not in client.session


def test_two_factor_is_optional_for_members(client: Client, member: Any) -> None:
    _sign_in(client, member)
    assert client.get("/en/account/").status_code == 200
    assert client.get("/en/account/2fa/").status_code == 200


def test_administrators_need_it_too(client: Client) -> None:
    admin = UserFactory(email="admin@network.example", roles=[Role.ADMIN])
    _sign_in(client, admin)
    assert client.get("/en/admin/").status_code == 302


def test_a_code_shown_just_before_the_period_turned_is_still_accepted(
    client: Client, staff: Any
) -> None:
    # People type the code their phone showed a moment ago; its clock may lag a little.
    _sign_in(client, staff, "en")
    first = client.get("/en/account/2fa/totp/activate/")
    client.post(first["Location"], {"password": PASSWORD})
    page = client.get("/en/account/2fa/totp/activate/").content.decode()
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page)
    assert secret
    late = client.post(
        "/en/account/2fa/totp/activate/", {"code": current_code(secret.group(1), offset=-1)}
    )
    assert late.status_code == 302
