"""The network dashboard and the programme report page in a real browser, German and English."""

from __future__ import annotations

from typing import Any

import pytest

from cityexchange.core.tests.browser import (
    axe_violations,
    describe_violations,
    follow,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shipped(db: Any) -> None:
    from django.conf import settings
    from django.utils import translation

    from cityexchange.core.seeding import load_organisations
    from cityexchange.events.seeding import load_past_editions
    from cityexchange.network.seeding import load

    with translation.override(settings.LANGUAGE_CODE):
        load_organisations()
        load_past_editions()
        load()


def _sign_in(page: Any, base: str, language: str, user: Any) -> None:
    page.goto(f"{base}/{language}/login/?next=/{language}/network/staff/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", "correct horse battery")
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base}/{language}/network/staff/")


@pytest.mark.parametrize("language", ["de", "en"])
def test_dashboard_and_report_have_no_accessibility_violations(
    live_server: Any, page: Any, shipped: None, staff: Any, language: str
) -> None:
    import datetime as dt

    from django.utils import timezone

    from cityexchange.network.models import NextStep, Partnership

    NextStep.objects.create(
        partnership=Partnership.objects.get(slug="iscn-oasc"),
        description="Send the minutes",
        owner=staff,
        due_on=timezone.localdate() + dt.timedelta(days=3),
    )
    base = live_server.url
    # The public members page, before signing in.
    page.goto(f"{base}/{language}/network/")
    assert page.locator("h1").count() == 1
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    _sign_in(page, base, language, staff)
    assert page.locator("h1").count() == 1
    assert "Send the minutes" in page.content()
    assert page.locator("svg[role=img]").count() == 2
    screenshot(page, f"network-dashboard-{language}")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)

    page.goto(f"{base}/{language}/network/staff/report/?start=2021-01-01&end=2024-04-30")
    assert "13 × ISCN Global Mixer" in page.content()
    assert "50–120" in page.content()
    screenshot(page, f"network-report-{language}")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)

    # The staff pages with forms: a partnership and the budget.
    for path in ("partnerships/iscn-oasc/", "budget/", "meetings/", "tandems/"):
        page.goto(f"{base}/{language}/network/staff/{path}")
        violations = axe_violations(page)
        assert violations == [], f"{path}: " + describe_violations(violations)


SAVED = {
    "de": "Die Themen und Fördermöglichkeiten wurden gespeichert.",
    "pt": "Os temas e as opções de financiamento foram salvos.",
}
INVALID = {"de": "ist keine gültige Auswahl", "pt": "não é uma das escolhas disponíveis"}


@pytest.mark.parametrize("language", ["de", "pt"])
def test_staff_edit_topics_and_funding_options_on_the_partnership_page(
    live_server: Any, page: Any, shipped: None, staff: Any, language: str
) -> None:
    from cityexchange.core.models import Concept
    from cityexchange.directory.models import Offer
    from cityexchange.network.models import Partnership

    fund = Offer.objects.create(
        slug="b-fund", kind="funding", name_en="Town twinning fund", format="online", effort="low"
    )
    topic = Concept.objects.create(key="b-heat", label="Heat")
    base = live_server.url
    _sign_in(page, base, language, staff)
    page.goto(f"{base}/{language}/network/staff/partnerships/iscn-oasc/")
    page.select_option("#id_topics", [str(topic.pk)])
    page.select_option("#id_funding_options", [str(fund.pk)])
    follow(page.locator("#topics-title ~ button[type=submit]"))
    assert SAVED[language] in page.content()
    partnership = Partnership.objects.get(slug="iscn-oasc")
    assert list(partnership.funding_options.all()) == [fund]
    assert list(partnership.topics.all()) == [topic]
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)

    # A choice that no longer exists (removed in another tab) comes back as a form error.
    page.evaluate(
        """() => { const s = document.querySelector('#id_funding_options');
        s.add(new Option('gone', '987654', true, true)); }"""
    )
    follow(page.locator("#topics-title ~ button[type=submit]"))
    assert INVALID[language] in page.content()
    assert page.locator("#id_funding_options_error").count() == 1
    screenshot(page, f"network-partnership-topics-error-{language}")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    assert list(partnership.funding_options.all()) == [fund]
