"""The library in a real browser: search with facets, a resource page; axe-core clean."""

from __future__ import annotations

from typing import Any

import pytest

from cityexchange.core.tests.browser import axe_violations, describe_violations, follow, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def library(thesaurus: None) -> None:
    from cityexchange.library.services import index_rebuild
    from cityexchange.library.tests.conftest import CORPUS, make_resource

    # A transactional test starts from an empty index: drop what earlier tests left.
    index_rebuild()
    for spec in CORPUS:
        make_resource(dict(spec))


@pytest.mark.parametrize("language", ["de", "es"])
def test_searching_across_languages_and_refining_works_without_javascript(
    live_server: Any, browser: Any, library: None, language: str
) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/{language}/library/")
    assert page.locator("h1").count() == 1
    violations = axe_violations_without_js(browser, page.url)
    assert violations == [], describe_violations(violations)
    page.fill("#library-q", "Wassermanagement")
    follow(page.locator("form[role=search] button[type=submit]"))
    first = page.locator("ol.results > li").first
    assert "Tartu" in first.inner_text()
    follow(page.locator(".facet a", has_text="2024").first)
    assert "year=2024" in page.url
    screenshot(page, f"library-search-{language}")
    context.close()
    violations = axe_violations_without_js(browser, page.url)
    assert violations == [], describe_violations(violations)


def axe_violations_without_js(browser: Any, url: str) -> list[dict[str, Any]]:
    # axe itself needs JavaScript: check the same page in a normal context.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url)
    violations = axe_violations(page)
    context.close()
    return violations


@pytest.mark.parametrize("language", ["en", "pt"])
def test_the_resource_page_is_accessible(
    live_server: Any, page: Any, library: None, language: str
) -> None:
    page.goto(f"{live_server.url}/{language}/library/r/smart-water-tartu/")
    assert page.locator("h1").count() == 1
    screenshot(page, f"library-resource-{language}")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
