"""A funded pilot in a real browser, in German and Spanish: the consortium plans it, adds
a milestone, hands in a report with a PDF, writes down results and a figure and
publishes them to the library; staff see what is overdue and put the round into the
directory. Every page on the way has no axe violations (WCAG 2.1 A/AA)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from cityexchange.core.tests.browser import (
    assert_accessible,
    follow,
    signed_in_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_ratelimit(settings: Any, tmp_path: Path) -> None:
    settings.RATELIMIT_ENABLE = False
    settings.MEDIA_ROOT = tmp_path


def _pdf(path: Path) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize("language", ["de", "es"])
def test_a_pilot_from_plan_to_published_results(
    browser: Any,
    live_server: Any,
    language: str,
    owner: Any,
    municipality: Any,
    staff: Any,
    tmp_path: Path,
) -> None:
    from cityexchange.challenges import services
    from cityexchange.challenges.models import Pilot
    from cityexchange.challenges.tests.conftest import full_consortium, make_round
    from cityexchange.core.models import User
    from cityexchange.core.services import membership_add
    from cityexchange.core.tests.factories import OrganisationFactory, UserFactory

    User.objects.filter(pk=owner.pk).update(language=language)
    base = live_server.url
    round_ = make_round()
    tartu = OrganisationFactory(name="Tartu", slug="tartu-x", country="EE")
    ee_member = UserFactory(language=language)
    membership_add(user=ee_member, organisation=tartu)
    research = OrganisationFactory(
        name="Institute", slug="institute-x", kind="research", country="FI", population=None
    )
    researcher = UserFactory(language=language)
    membership_add(user=researcher, organisation=research)
    proposal = full_consortium(
        round_,
        lead_user=owner,
        lead=municipality,
        tartu=tartu,
        ee_member=ee_member,
        research=research,
        researcher=researcher,
        title="Flood warnings",
    )
    services.proposal_submit(proposal=proposal, user=owner)
    services.proposal_decide(proposal=proposal, user=staff, funded=True)
    pilot = Pilot.objects.get(proposal=proposal)
    url = f"{base}/{language}/challenges/pilot/{pilot.pk}/"
    today = timezone.localdate()

    # 1. The lead plans the pilot and adds a milestone that is already overdue.
    page = signed_in_page(browser, base, owner)
    page.goto(url)
    assert_accessible(page, f"challenges-pilot-new-{language}")
    page.fill("#id_starts_on", (today - dt.timedelta(days=120)).isoformat())
    page.fill("#id_ends_on", (today + dt.timedelta(days=600)).isoformat())
    page.fill("#id_report_every_months", "3")
    follow(page.locator("form:has(input[value=plan]) button[type=submit]"))
    page.fill("#id_title", "Sensoren installiert" if language == "de" else "Sensores instalados")
    page.fill("#id_due_on", (today - dt.timedelta(days=3)).isoformat())
    follow(page.locator("form:has(input[value=milestone]) button[type=submit]"))
    assert page.locator("#reports-overdue").count() == 1
    assert_accessible(page, f"challenges-pilot-planned-{language}")

    # 2. Staff see the overdue milestone and report.
    staff_page = signed_in_page(browser, base, staff)
    staff_page.goto(f"{base}/{language}/challenges/rounds/{round_.slug}/pilots/")
    assert staff_page.locator(".flag").count() == 2
    assert_accessible(staff_page, f"challenges-pilots-overview-{language}")

    # 3. A partner hands in a report with a PDF.
    partner = signed_in_page(browser, base, ee_member)
    partner.goto(url)
    partner.fill("form:has(input[value=report]) #id_title", "Erstes Quartal")
    partner.fill("#id_text", "Die Sensoren messen seit Juli.")
    partner.set_input_files("#id_file", str(_pdf(tmp_path / "quartal.pdf")))
    follow(partner.locator("form:has(input[value=report]) button[type=submit]"))
    assert partner.locator("a[href*='/challenges/report/']").count() == 1
    assert partner.locator("#reports-overdue").count() == 0
    assert_accessible(partner, f"challenges-pilot-report-{language}")

    # 4. The lead writes down results and a figure, then publishes them.
    page.goto(url)
    page.fill("#id_results", "Warnungen kamen 20 Minuten früher.")
    page.check(f"input[name=languages][value={language}]")
    follow(page.locator("form:has(input[value=outcomes]) button[type=submit]"))
    page.fill("#id_label", "Vorwarnzeit")
    page.fill("#id_value", "20")
    page.fill("#id_unit", "min")
    follow(page.locator("form:has(input[value=figure]) button[type=submit]"))
    assert_accessible(page, f"challenges-pilot-results-{language}")
    follow(page.locator("#publish-results"))
    pilot.refresh_from_db()
    assert pilot.resource is not None and pilot.status == "finished"
    follow(page.locator("#library-link"))
    assert "/library/" in page.url
    assert page.locator("text=Flood warnings").count() >= 1

    # 5. Anyone sees the published results; staff put the round into the directory.
    visitor = signed_in_page(browser, base, None)
    visitor.goto(url)
    assert visitor.locator("#pilot-results").count() == 1
    assert visitor.locator("a[href*='/challenges/report/']").count() == 0
    assert_accessible(visitor, f"challenges-pilot-public-{language}")
    staff_page.goto(f"{base}/{language}/challenges/rounds/{round_.slug}/")
    follow(staff_page.locator("form[action$='/offer/'] button"))
    follow(staff_page.locator("#round-offer-link"))
    assert staff_page.locator(f"a[href$='/challenges/rounds/{round_.slug}/']").count() >= 1
    assert_accessible(staff_page, f"challenges-round-offer-{language}")
