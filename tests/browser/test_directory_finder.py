"""The Finder and the directory in a real browser: steps, results, sharing, axe-core clean."""

from __future__ import annotations

from typing import Any

import pytest

from cityexchange.core.tests.browser import axe_violations, describe_violations, follow, screenshot
from cityexchange.directory.tests.catalogue import load_test_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue(transactional_db: Any) -> None:

    load_test_catalogue()


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)


@pytest.mark.parametrize(
    ("language", "need", "submit", "expected"),
    [
        (
            "de",
            "Hochwasser und Hitze in unserer Kleinstadt",
            "Passende Angebote zeigen",
            "Globaler Austausch",
        ),
        ("es", "inundaciones y olas de calor", "Mostrar ofertas adecuadas", "Intercambio global"),
    ],
)
def test_a_town_finds_explained_offers_without_accessibility_violations(
    live_server: Any,
    page: Any,
    catalogue: None,
    language: str,
    need: str,
    submit: str,
    expected: str,
) -> None:
    page.goto(f"{live_server.url}/{language}/finder/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").count() == 1
    assert page.locator("fieldset.step").count() == 3
    screenshot(page, f"finder-form-{language}")
    assert_accessible(page)

    page.fill("#id_description", need)
    page.check("#id_experience_0")  # newcomer
    page.get_by_role("button", name=submit).first.click()
    page.wait_for_selector("ol.results")
    first = page.locator("ol.results li.result").first
    assert expected in first.locator("h3").inner_text()
    assert first.locator("ul.reasons li").count() >= 3
    screenshot(page, f"finder-results-{language}")
    assert_accessible(page)

    page.locator("form[action$='/finder/save/'] button").click()
    page.wait_for_url(f"{live_server.url}/{language}/finder/results/**")
    assert expected in page.locator("ol.results").inner_text()
    screenshot(page, f"finder-saved-{language}")
    assert_accessible(page)


def test_a_missing_description_is_announced_next_to_the_field(
    live_server: Any, page: Any, catalogue: None
) -> None:
    page.goto(f"{live_server.url}/en/finder/")
    follow(page.get_by_role("button", name="Show offers that fit"))
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.locator("#id_description_error").is_visible()
    assert_accessible(page)


@pytest.mark.parametrize("language", ["en", "pt"])
def test_the_directory_pages_have_no_accessibility_violations(
    live_server: Any, page: Any, catalogue: None, language: str
) -> None:
    page.goto(f"{live_server.url}/{language}/offers/?kind=exchange_format")
    assert page.locator("ul.results li.result").count() == 1
    screenshot(page, f"offer-list-{language}")
    assert_accessible(page)
    page.locator("ul.results li.result h3 a").first.click()
    page.wait_for_url(f"{live_server.url}/{language}/offers/test-mixer/")
    screenshot(page, f"offer-detail-{language}")
    assert_accessible(page)
