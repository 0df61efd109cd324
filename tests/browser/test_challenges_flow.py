"""The challenge programme's judged flow in a real browser, in German and Spanish.

A city writes and hands in a challenge; another city shows interest; a team forms a
consortium that first breaks and then meets the round's rules; an evaluator declares
a conflict on one proposal and scores another; staff look at the panel. Every page
on the way has no axe violations (WCAG 2.1 A/AA). Sign-in is by session cookie: the
sign-in form has its own browser tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from cityexchange.core.tests.browser import (
    assert_accessible,
    follow,
    signed_in_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_ratelimit(settings: Any) -> None:
    settings.RATELIMIT_ENABLE = False


@pytest.mark.parametrize("language", ["de", "es"])
def test_a_round_from_challenge_to_panel(
    browser: Any, live_server: Any, language: str, owner: Any, municipality: Any, staff: Any
) -> None:
    from cityexchange.challenges import services
    from cityexchange.challenges.models import Challenge, ConsortiumMember, PilotProposal, Score
    from cityexchange.challenges.tests.conftest import full_consortium, make_round
    from cityexchange.core.models import Concept
    from cityexchange.core.services import membership_add
    from cityexchange.core.tests.factories import OrganisationFactory, UserFactory

    base = live_server.url
    round_ = make_round()
    Concept.objects.create(key="flooding", label="Flooding")
    tartu = OrganisationFactory(name="Tartu", slug="tartu-x", country="EE")
    ee_member = UserFactory(language=language)
    membership_add(user=ee_member, organisation=tartu)
    research = OrganisationFactory(
        name="Institute", slug="institute-x", kind="research", country="FI", population=None
    )
    researcher = UserFactory(language=language)
    membership_add(user=researcher, organisation=research)

    # 1. A city writes a challenge and hands it in.
    page = signed_in_page(browser, base, owner)
    page.goto(f"{base}/{language}/challenges/rounds/{round_.slug}/")
    assert page.locator("[aria-current=step]").count() >= 1
    assert_accessible(page, f"challenges-round-{language}")
    page.goto(f"{base}/{language}/challenges/rounds/{round_.slug}/challenges/new/")
    page.fill("#id_title", "Flooded underpasses")
    page.fill("#id_problem", "Heavy rain floods two underpasses within minutes.")
    page.select_option("#id_topics", "flooding")
    assert_accessible(page, f"challenges-form-{language}")
    # Saved as a draft first: the edit page adds the attachment form.
    page.click("button[value=save]")
    page.wait_for_selector("#id_file")
    assert_accessible(page, f"challenges-draft-{language}")
    page.click("button[value=submit]")
    page.wait_for_selector("#challenge-status")
    challenge = Challenge.objects.get(title="Flooded underpasses")
    assert challenge.status == "submitted"
    assert_accessible(page, f"challenges-submitted-{language}")
    services.round_publish_challenges(round=round_, user=staff)

    # 2. Another city shows interest.
    page = signed_in_page(browser, base, ee_member)
    page.goto(f"{base}/{language}/challenges/rounds/{round_.slug}/challenges/")
    assert_accessible(page, f"challenges-catalogue-{language}")
    page.goto(f"{base}/{language}/challenges/challenge/{challenge.pk}/")
    page.click("button[value=add]")
    page.wait_for_selector("button[value=remove]")
    assert challenge.interests.filter(city=tartu).exists()
    assert_accessible(page, f"challenges-interest-{language}")

    # 3. A team forms a consortium that first breaks the rules, then meets them.
    page = signed_in_page(browser, base, owner)
    page.goto(f"{base}/{language}/challenges/rounds/{round_.slug}/proposals/new/")
    page.fill("#id_title", "Flood warnings")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("#rule-check")
    proposal = PilotProposal.objects.get(title="Flood warnings")
    assert page.locator(".rule-unmet").count() == 3
    assert_accessible(page, f"challenges-consortium-broken-{language}")
    for organisation in (tartu, research):
        page.select_option("#id_organisation", organisation.slug)
        page.fill("#id_budget", "100000")
        page.click("form[action$='/invite/'] button")
        page.wait_for_selector("#rule-check")
    for user in (ee_member, researcher):
        other = signed_in_page(browser, base, user)
        other.goto(f"{base}/{language}/challenges/proposal/{proposal.pk}/")
        other.click("button[value=accept]")
        other.wait_for_selector("#rule-check")
        other.context.close()
    assert ConsortiumMember.objects.filter(proposal=proposal, status="accepted").count() == 3
    page.reload()
    assert page.locator(".rule-unmet").count() == 0
    assert_accessible(page, f"challenges-consortium-met-{language}")
    page.click("form[action$='/submit/'] button")
    page.wait_for_selector("#proposal-status")
    assert PilotProposal.objects.get(pk=proposal.pk).status == "submitted"

    # 4. An evaluator declares a conflict on another proposal and scores this one.
    other_lead = OrganisationFactory(name="Second city", country="LV")
    other_user = UserFactory()
    membership_add(user=other_user, organisation=other_lead)
    second = full_consortium(
        round_,
        lead_user=other_user,
        lead=other_lead,
        tartu=tartu,
        ee_member=ee_member,
        research=research,
        researcher=researcher,
        title="Second proposal",
    )
    services.proposal_submit(proposal=second, user=other_user)
    evaluator = UserFactory(language=language)
    services.evaluator_appoint(round=round_, evaluator=evaluator, user=staff)
    page = signed_in_page(browser, base, evaluator)
    page.goto(f"{base}/{language}/challenges/rounds/{round_.slug}/evaluation/")
    assert_accessible(page, f"challenges-workspace-{language}")
    page.fill(f"#reason-{second.pk}", "I advised this team.")
    follow(page.locator(f"#proposal-{second.pk} button"))
    page.wait_for_selector(f"#proposal-{second.pk}")
    assert page.locator(f"#proposal-{second.pk} a").count() == 0
    follow(page.locator(f"#proposal-{proposal.pk} a"))
    for criterion in round_.criteria.all():
        page.fill(f"#id_score_{criterion.pk}", "4")
    assert_accessible(page, f"challenges-score-{language}")
    page.click("form.form button[type=submit]")
    page.wait_for_selector(f"#proposal-{proposal.pk}")
    assert Score.objects.filter(evaluator__user=evaluator, proposal=proposal).count() == 2
    assert not Score.objects.filter(proposal=second).exists()

    # 5. Staff see the panel.
    page = signed_in_page(browser, base, staff)
    page.goto(f"{base}/{language}/challenges/rounds/{round_.slug}/panel/")
    assert "8" in page.locator(f"#panel-{proposal.pk}").inner_text()
    assert_accessible(page, f"challenges-panel-{language}")
