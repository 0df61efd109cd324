"""The library on a phone (390 px wide), in German and Portuguese: the facets fold away so
the first result is near the top, and the digest form's grouped topic picker filters,
summarises and saves; axe-core clean."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cityexchange.core.tests.browser import (
    assert_accessible,
    follow,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _no_ratelimit(settings: Any) -> None:
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def library(thesaurus: None) -> None:
    from cityexchange.library.services import index_rebuild
    from cityexchange.library.tests.conftest import CORPUS, make_resource

    # A transactional test starts from an empty index: drop what earlier tests left.
    index_rebuild()
    for spec in CORPUS:
        make_resource(dict(spec))


def _path(name: str, language: str) -> str:
    with translation.override(language):
        return reverse(name)


@pytest.mark.parametrize(
    ("language", "show"), [("de", "Filter anzeigen"), ("pt", "Mostrar os filtros")]
)
def test_on_a_phone_the_first_result_comes_before_the_folded_facets(
    browser: Any, live_server: Any, library: None, language: str, show: str
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}{_path('library:search', language)}?q=water")
    panel = page.locator("details[data-facets]")
    assert not panel.evaluate("d => d.open")
    top = page.locator("ol.results > li").first.bounding_box()["y"]
    assert top < 900, top
    assert_accessible(page, f"library-phone-search-{language}")
    # The panel opens on demand and every filter is a plain link.
    page.get_by_text(show).click()
    assert panel.evaluate("d => d.open")
    follow(page.locator(".facet a").first)
    assert "?" in page.url
    context.close()

    # Without JavaScript the panel is simply open: nothing is out of reach.
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}{_path('library:search', language)}?q=water")
    assert page.locator("details[data-facets][open]").count() == 1
    assert page.locator(".facet a").first.is_visible()
    context.close()

    # On a wide screen the facets sit beside the results, open, starting level with
    # the first result (not pushed down by their heading) when the results are longer.
    from cityexchange.library.tests.conftest import CORPUS, make_resource

    for n in range(8):
        make_resource({**CORPUS[0], "slug": f"water-note-{n}", "title": {"en": f"Water note {n}"}})
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}{_path('library:search', language)}?q=water")
    assert page.locator(".facet a").first.is_visible()
    first_facet = page.locator(".facet h3").first.bounding_box()["y"]
    first_result = page.locator("ol.results > li").first.bounding_box()
    assert first_facet < first_result["y"] + first_result["height"], (first_facet, first_result)
    context.close()


@pytest.mark.parametrize(
    ("language", "term", "label", "save"),
    [
        ("de", "datenplatt", "Urbane Datenplattform", "Abonnement speichern"),
        ("pt", "plataforma urb", "Plataforma urbana de dados", "Salvar assinatura"),
    ],
)
def test_on_a_phone_the_digest_topics_are_filtered_chosen_and_saved(
    browser: Any,
    live_server: Any,
    thesaurus: None,
    member: Any,
    language: str,
    term: str,
    label: str,
    save: str,
) -> None:
    from cityexchange.library.models import Subscription

    client = Client()
    client.force_login(member)
    context = browser.new_context(viewport=PHONE)
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}{_path('library:subscription', language)}")
    assert page.locator("select[name=topics]").count() == 0
    page.locator("[data-filter]").fill(term)
    box = page.get_by_role("checkbox", name=label, exact=True)
    assert box.is_visible()
    box.check()
    assert label in page.locator("[data-summary]").inner_text()
    assert_accessible(page, f"library-phone-subscription-{language}")
    follow(page.get_by_role("button", name=save))
    saved = Subscription.objects.get(user=member)
    assert list(saved.topics.values_list("key", flat=True)) == ["urban-data-platform"]
    context.close()
