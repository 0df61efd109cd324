"""The programme and an event page in a real browser: accessible, in two languages."""

from __future__ import annotations

import pytest

from cityexchange.core.tests.browser import axe_violations, describe_violations, follow, screenshot
from cityexchange.events.tests.factories import EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_ratelimit(settings):
    settings.RATELIMIT_ENABLE = False


@pytest.mark.parametrize("language", ["en", "de"])
def test_programme_and_event_page_have_no_accessibility_violations(page, live_server, language):
    event = EventFactory(title="Heat action plans", capacity_online=1)
    page.goto(f"{live_server.url}/{language}/events/")
    assert page.locator("h1").count() == 1
    violations = axe_violations(page)
    screenshot(page, f"events-programme-{language}")
    assert not violations, describe_violations(violations)
    page.goto(f"{live_server.url}/{language}/events/{event.slug}/")
    violations = axe_violations(page)
    screenshot(page, f"events-detail-{language}")
    assert not violations, describe_violations(violations)
    # The "check your inbox" page after a registration.
    page.goto(f"{live_server.url}/{language}/events/{event.slug}/registered/")
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)


def test_registering_without_javascript_says_where_the_link_went_then_seats_and_waitlists(
    browser, live_server
):
    from cityexchange.events.models import Registration

    event = EventFactory(capacity_online=1)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    for n in (1, 2):
        page.goto(f"{live_server.url}/en/events/{event.slug}/")
        page.get_by_label("Name").first.fill(f"Person {n}")
        page.get_by_label("Email address").fill(f"p{n}@example.org")
        page.get_by_label("I have read the privacy notice").check()
        follow(page.get_by_role("button", name="Register"))
        assert page.locator("h1").inner_text() == "Check your inbox"
        assert f"p{n}@example.org" in page.content()
        assert "/events/registration/" not in page.content()
    screenshot(page, "events-registered")
    # The seats were decided all the same: the first confirmed, the second waiting.
    statuses = dict(Registration.objects.filter(event=event).values_list("email", "status"))
    assert statuses == {"p1@example.org": "confirmed", "p2@example.org": "waitlisted"}
    context.close()


@pytest.mark.parametrize("language", ["en", "es"])
def test_statistics_charts_and_a_date_only_edition_have_no_accessibility_violations(
    page, live_server, language
):
    import datetime as dt
    import zoneinfo

    from cityexchange.core.tests.factories import PersonFactory
    from cityexchange.events.models import Speaker
    from cityexchange.events.tests.factories import RegistrationFactory

    past = EventFactory(
        title="Liveability in shrinking towns",
        starts_at=dt.datetime(2023, 2, 21, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")),
        time_known=False,
        status="finished",
    )
    for n in range(4):
        RegistrationFactory(
            event=past, attended=True, country=("BR", "IN")[n % 2], listed=True, name=f"P {n}"
        )
    Speaker.objects.create(event=past, person=PersonFactory(), country="PE")
    page.goto(f"{live_server.url}/{language}/events/statistics/")
    assert page.locator('svg[role="img"]').count() == 4
    violations = axe_violations(page)
    screenshot(page, f"events-statistics-{language}")
    assert not violations, describe_violations(violations)
    page.goto(f"{live_server.url}/{language}/events/{past.slug}/")
    assert page.locator('time[datetime="2023-02-21"]').count() == 1
    violations = axe_violations(page)
    screenshot(page, f"events-date-only-{language}")
    assert not violations, describe_violations(violations)
