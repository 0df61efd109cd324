"""The back office's translated fields: tabs per language from the project's own files."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from cityexchange.core.tests.browser import follow, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_translated_fields_get_one_labelled_tab_per_language_without_a_third_party(
    live_server: Any, page: Any, staff: Any
) -> None:
    from cityexchange.events.tests.factories import FormatFactory

    format_ = FormatFactory(name_de="Globaler Mixer", name_en="Global Mixer")
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    page.goto(f"{live_server.url}/en/admin/login/")
    page.fill("#id_login", staff.email)
    page.fill("#id_password", "correct horse battery")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/en/admin/")

    page.goto(f"{live_server.url}/en/admin/events/format/{format_.pk}/change/")
    tabs = page.get_by_role("tablist").first.get_by_role("tab")
    # Each tab shows the language's code and is announced by the language's name.
    assert [tabs.nth(i).get_attribute("aria-label") for i in range(tabs.count())] == [
        "German",
        "English",
        "Spanish",
        "Portuguese",
    ]
    # The page's language is shown first.
    assert page.locator("#id_name_en").is_visible()
    assert not page.locator("#id_name_de").is_visible()

    # A click and the arrow keys both change the language shown.
    tabs.nth(0).click()
    assert page.locator("#id_name_de").is_visible()
    assert page.locator("#id_name_de").input_value() == "Globaler Mixer"
    assert not page.locator("#id_name_en").is_visible()
    page.keyboard.press("ArrowRight")
    assert page.locator("#id_name_en").is_visible()
    page.keyboard.press("ArrowRight")
    assert page.locator("#id_name_es").is_visible()
    assert tabs.nth(2).get_attribute("aria-selected") == "true"
    assert page.evaluate("document.activeElement.getAttribute('aria-selected')") == "true"
    screenshot(page, "admin-translation-tabs")

    assert hosts <= {urlsplit(live_server.url).hostname}, hosts
    assert errors == []


def test_the_back_office_links_the_staff_pages_outside_it(
    live_server: Any, page: Any, staff: Any
) -> None:
    page.goto(f"{live_server.url}/de/admin/login/")
    page.fill("#id_login", staff.email)
    page.fill("#id_password", "correct horse battery")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/de/admin/")
    pages = page.locator("#staff-pages")
    screenshot(page, "admin-index-with-staff-pages")
    follow(pages.get_by_role("link", name="Hinweise zur Datenqualität"))
    assert page.locator("h1").inner_text() == "Hinweise zur Datenqualität"
    page.go_back()
    follow(
        page.locator("#staff-pages").get_by_role(
            "link", name="Suchen, die nichts oder wenig fanden"
        )
    )
    assert "/de/finder/searches-without-results/" in page.url
    screenshot(page, "admin-staff-pages")
