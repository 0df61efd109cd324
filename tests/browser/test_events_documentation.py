"""An edition's documentation in a real browser: offer page → event page → library page and
back, accessible (axe-core) in German and Portuguese."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from cityexchange.core.tests.browser import axe_violations, describe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_ratelimit(settings: Any) -> None:
    settings.RATELIMIT_ENABLE = False


def _assert_accessible(page: Any, name: str) -> None:
    violations = axe_violations(page)
    screenshot(page, name)
    assert not violations, describe_violations(violations)


@pytest.mark.parametrize(
    ("language", "editions", "in_library", "library_heading"),
    [
        (
            "de",
            "Ausgaben und Dokumentation",
            "In der Bibliothek",
            "Dokumentation in der Bibliothek",
        ),
        ("pt", "Edições e documentação", "Na biblioteca", "Documentação na biblioteca"),
    ],
)
def test_an_editions_documentation_links_offer_event_and_library_page(
    page: Any,
    live_server: Any,
    staff: Any,
    language: str,
    editions: str,
    in_library: str,
    library_heading: str,
) -> None:
    from cityexchange.core.models import Concept
    from cityexchange.directory.models import Offer
    from cityexchange.events import services
    from cityexchange.events.tests.factories import EventFactory

    heat = Concept.objects.create(key="heatwaves", label="Heatwaves", label_pt="Ondas de calor")
    event = EventFactory(
        slug="global-mixer-31",
        edition=31,
        title="Cooling the city",
        title_en="Cooling the city",
        starts_at=timezone.now() - dt.timedelta(days=3),
        status="finished",
    )
    event.topics.set([heat])
    services.material_add(
        event=event,
        kind="recording",
        title="Recording of the session",
        url="https://video.example.org/cooling",
        duration_minutes=31,
        captions_language="en",
        actor=staff,
    )
    services.material_add(
        event=event,
        kind="summary",
        title="What we learnt",
        summary="Shade, water and trees cool a street by several degrees.",
        actor=staff,
    )
    services.documentation_publish(event=event, actor=staff)
    Offer.objects.create(
        slug="iscn-global-mixer",
        kind="exchange_format",
        name="ISCN Global Mixer",
        format="online",
        effort="low",
        events_format=event.format.slug,
    )
    base = live_server.url
    page.goto(f"{base}/{language}/offers/iscn-global-mixer/")
    assert page.get_by_role("heading", name=editions).count() == 1
    _assert_accessible(page, f"offer-editions-{language}")
    page.get_by_role("link", name="Cooling the city", exact=True).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/{language}/events/{event.slug}/")
    assert page.get_by_role("heading", name=library_heading).count() == 1
    _assert_accessible(page, f"event-documentation-{language}")
    page.locator("main").get_by_role("link", name="Cooling the city", exact=True).click()
    page.wait_for_load_state()
    assert f"/{language}/library/r/" in page.url
    assert "What we learnt" in page.locator(".resource-text").inner_text()
    _assert_accessible(page, f"library-documentation-{language}")
    # And back to the event from the library page.
    page.locator("main").get_by_role("link", name="Cooling the city", exact=True).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/{language}/events/{event.slug}/")
    # The offer page's table says where the documentation is.
    page.goto(f"{base}/{language}/offers/iscn-global-mixer/")
    assert page.get_by_role("link", name=re.compile(f"^{in_library}")).count() == 1
