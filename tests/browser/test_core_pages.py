"""The home page and the admin sign-in in a real browser, four languages, axe-core clean."""

from __future__ import annotations

from typing import Any

import pytest

from cityexchange.core.tests.browser import axe_violations, describe_violations, follow, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["de", "en", "es", "pt"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_home_page_has_no_accessibility_violations(
    live_server: Any, page: Any, language: str
) -> None:
    page.goto(f"{live_server.url}/{language}/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").count() == 1
    screenshot(page, f"home-{language}")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_admin_sign_in_has_no_accessibility_violations(
    live_server: Any, page: Any, language: str
) -> None:
    page.goto(f"{live_server.url}/{language}/admin/login/")
    assert page.locator("html").get_attribute("lang") == language
    screenshot(page, f"admin-login-{language}")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)


def test_the_language_switcher_keeps_the_page(live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/en/privacy/")
    follow(page.get_by_role("navigation", name="Language").get_by_role("link", name="Português"))
    assert page.url == f"{live_server.url}/pt/privacy/"
    assert page.locator("html").get_attribute("lang") == "pt"


def test_the_skip_link_moves_focus_to_the_content(live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/en/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Skip to main content" in focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_staff_can_sign_in_to_the_back_office(live_server: Any, page: Any, staff: Any) -> None:
    page.goto(f"{live_server.url}/de/admin/login/")
    page.fill("#id_login", staff.email)
    page.fill("#id_password", "correct horse battery")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/de/admin/")
    assert page.locator("h1").first.inner_text() != ""
    screenshot(page, "admin-index-de")


@pytest.mark.parametrize("language", ["de", "pt"])
def test_the_account_page_is_accessible_when_signed_in(
    live_server: Any, page: Any, member: Any, language: str
) -> None:
    page.goto(f"{live_server.url}/{language}/login/")
    page.fill("#id_login", member.email)
    page.fill("#id_password", "correct horse battery")
    page.locator("main button[type=submit]").click()
    page.goto(f"{live_server.url}/{language}/account/")
    assert page.locator("h1").count() == 1
    screenshot(page, f"account-{language}")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)


@pytest.mark.parametrize("language", ["de", "pt"])
def test_the_api_reference_is_accessible_and_fits_a_phone(
    live_server: Any, page: Any, language: str
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/{language}/api/")
    assert page.locator("h1").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, f"api-reference-{language}-phone")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
