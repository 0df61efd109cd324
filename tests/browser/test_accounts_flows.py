"""Accounts in a real browser, axe-core clean: sign up, verify, join a municipality and be
accepted, see My cityexchange fill up; staff set up two-factor sign-in; reset a password."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from cityexchange.accounts.tests.totp import current_code
from cityexchange.core.tests.browser import axe_violations, describe_violations, follow, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and quiet river"


@pytest.fixture(autouse=True)
def _empty_limits() -> None:
    """allauth counts verification mails and sign-ins per address in the cache."""
    from django.core.cache import cache

    cache.clear()


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)


def _link_in_last_mail(pattern: str) -> str:
    match = re.search(rf"https?://\S+{pattern}\S*", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(0).rstrip(".")


def _local(url: str, base: str) -> str:
    """The mailed link (on SITE_URL) pointed at the test server."""
    return base + "/" + url.split("/", 3)[3]


def _sign_in(page: Any, base: str, language: str, email: str, password: str) -> None:
    page.goto(f"{base}/{language}/account/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


@pytest.fixture
def catalogue(transactional_db: Any) -> None:
    from cityexchange.directory.tests.catalogue import load_test_catalogue

    load_test_catalogue()


@pytest.mark.parametrize(
    ("language", "zone", "ask", "need"),
    [
        ("de", "Europe/Vienna", "Beitritt zu Lindenau anfragen", "Hochwasser und Hitze"),
        ("pt", "America/Recife", "Pedir para entrar em Lindenau", "enchentes e calor"),
    ],
)
def test_a_newcomer_signs_up_joins_their_municipality_and_finds_it_all_in_one_place(
    live_server: Any,
    browser: Any,
    owner: Any,
    municipality: Any,
    catalogue: None,
    language: str,
    zone: str,
    ask: str,
    need: str,
) -> None:
    from cityexchange.events.tests.factories import EventFactory

    event = EventFactory(title="Data spaces", title_en="Data spaces")
    base = live_server.url
    context = browser.new_context(timezone_id=zone, viewport={"width": 1280, "height": 900})
    page = context.new_page()

    # Sign up: the device's time zone is suggested.
    page.goto(f"{base}/{language}/account/signup/")
    assert page.locator("#id_timezone").input_value() == zone
    assert_accessible(page)
    page.fill("#id_email", "ana@lindenau.example")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.fill("#id_full_name", "Ana Lima")
    page.check("#id_privacy_consent")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/{language}/account/confirm-email/")
    screenshot(page, f"accounts-verification-sent-{language}")
    assert_accessible(page)

    # Verify the address from the mail, in the language chosen on the form.
    page.goto(_local(_link_in_last_mail(f"/{language}/account/confirm-email/"), base))
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/{language}/account/")

    # Ask to join the municipality.
    page.goto(f"{base}/{language}/account/organisations/?q=Linden")
    assert_accessible(page)
    page.get_by_role("button", name=ask).click()
    page.wait_for_url(f"{base}/{language}/account/organisations/")

    # Its owner accepts, from the link in the mail.
    owner_context = browser.new_context()
    owner_page = owner_context.new_page()
    _sign_in(owner_page, base, language, owner.email, "correct horse battery")
    owner_page.goto(_local(_link_in_last_mail("/account/organisations/"), base))
    assert_accessible(owner_page)
    owner_page.locator("form[action$='/accept/'] button").click()
    owner_page.wait_for_load_state()
    owner_context.close()

    # Register for an event and save a Finder result.
    page.goto(f"{base}/{language}/events/{event.slug}/")
    page.check("#id_privacy_consent")
    page.locator("form[action$='/register/'] button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{base}/{language}/finder/")
    page.fill("#id_description", need)
    page.check("#id_experience_0")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_selector("ol.results")
    page.locator("form[action$='/finder/save/'] button").click()
    page.wait_for_url(f"{base}/{language}/finder/results/**")

    # My cityexchange has filled up.
    page.goto(f"{base}/{language}/account/")
    main = page.locator("main")
    assert "Lindenau" in main.locator("#organisations-title + ul").inner_text()
    assert "Data spaces" in main.locator("section:has(#section-events-upcoming)").inner_text()
    assert (
        main.locator("section:has(#section-directory-saved) a[href*='/finder/results/']").count()
        == 1
    )
    screenshot(page, f"accounts-my-cityexchange-{language}")
    assert_accessible(page)
    context.close()


def test_staff_set_up_an_authenticator_app_then_open_the_back_office(
    live_server: Any, page: Any, staff: Any, settings: Any
) -> None:
    settings.CITYEXCHANGE_STAFF_MFA = True
    base = live_server.url
    page.goto(f"{base}/de/admin/")
    page.wait_for_url(f"{base}/de/account/login/**")
    page.fill("#id_login", staff.email)
    page.fill("#id_password", "correct horse battery")
    page.locator("main button[type=submit]").click()
    # Sent to set up a second factor; allauth asks for the password once more first.
    page.wait_for_url(f"{base}/de/account/reauthenticate/**")
    page.fill("#id_password", "correct horse battery")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/de/account/2fa/totp/activate/")
    assert_accessible(page)
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("#id_code", "123456" if current_code(secret) != "123456" else "654321")
    follow(page.locator("main button[type=submit]"))
    assert page.locator("main .field-error, main .error-summary").count() >= 1
    page.fill("#id_code", current_code(secret))
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/de/account/2fa/recovery-codes/")
    assert_accessible(page)
    page.goto(f"{base}/de/admin/")
    assert page.url == f"{base}/de/admin/"
    screenshot(page, "accounts-admin-after-totp-de")


def test_a_forgotten_password_is_reset_by_mail(live_server: Any, page: Any, member: Any) -> None:
    member.language = "pt"
    member.save(update_fields=["language"])
    base = live_server.url
    page.goto(f"{base}/pt/account/login/")
    page.locator("main a[href$='/account/password/reset/']").click()
    page.wait_for_url(f"{base}/pt/account/password/reset/")
    assert_accessible(page)
    page.fill("#id_email", member.email)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/pt/account/password/reset/done/")
    page.goto(_local(_link_in_last_mail("/account/password/reset/key/"), base))
    page.fill("#id_password1", "a brand new secret phrase")
    page.fill("#id_password2", "a brand new secret phrase")
    assert_accessible(page)
    page.locator("main button[name=action]").click()
    page.wait_for_url(f"{base}/pt/account/password/reset/key/done/")
    _sign_in(page, base, "pt", member.email, "a brand new secret phrase")
    assert page.url == f"{base}/pt/account/"
