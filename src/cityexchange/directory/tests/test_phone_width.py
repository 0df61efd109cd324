"""The directory's pages fit a 390 px phone screen: nothing scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest

from cityexchange.directory.tests.catalogue import load_test_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LONG_URL = (
    "https://www.example.org/programmes/international-smart-city-knowledge-exchange/"
    "municipal-digital-transformation-and-data-strategies?language=de&edition=2026"
)


@pytest.fixture
def catalogue_with_long_facts(transactional_db: Any) -> None:
    from cityexchange.core.models import Organisation, OrganisationKind
    from cityexchange.core.tests.factories import OrganisationFactory
    from cityexchange.directory.models import Offer
    from cityexchange.directory.services import directory_changed

    load_test_catalogue()
    offer = Offer.objects.get(slug="test-mixer")
    Offer.objects.filter(pk=offer.pk).update(
        url=LONG_URL,
        contact="internationale-zusammenarbeit.digitalisierungsstrategie@bundesministerium.example",
    )
    offer.organisers.add(
        OrganisationFactory(
            slug="long-name",
            name="Bundesministerium für Wohnen, Stadtentwicklung und Bauwesen "
            "(Referat Digitalisierungsstrategieentwicklungskoordination)",
            kind=OrganisationKind.MINISTRY,
            population=None,
        )
    )
    assert Organisation.objects.filter(slug="long-name").exists()
    directory_changed()  # written past the services, so announced by hand


def page_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


@pytest.mark.parametrize("language", ["de", "pt"])
def test_directory_pages_do_not_scroll_sideways_on_a_phone(
    live_server: Any, browser: Any, catalogue_with_long_facts: None, language: str
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        for path in [
            "offers/test-mixer/",
            "offers/?kind=exchange_format",
            "offers/?topic=floding",
            "finder/",
            "organisations/long-name/",
        ]:
            page.goto(f"{live_server.url}/{language}/{path}")
            assert page_width(page) <= PHONE["width"], f"{path} is {page_width(page)} px wide"
        page.goto(f"{live_server.url}/{language}/finder/")
        page.fill("#id_description", "Hochwasser und Hitze in unserer Kleinstadt")
        page.locator("form.steps button[type=submit]").click()
        page.wait_for_selector("ol.results")
        assert page_width(page) <= PHONE["width"], f"results are {page_width(page)} px wide"
    finally:
        context.close()
