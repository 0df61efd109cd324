"""Every page with owner, member, outsider, evaluator, staff and anonymous visitors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from cityexchange.challenges import services
from cityexchange.challenges.models import (
    Challenge,
    ChallengeStatus,
    ConsortiumMember,
    Interest,
    Score,
    SolutionIdea,
    Stage,
    StageKind,
)
from cityexchange.challenges.tests.conftest import close_stage

pytestmark = pytest.mark.django_db


def _client(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"challenges:{name}", kwargs=kwargs)


def test_the_home_and_round_page_show_the_timeline_with_the_current_stage(
    round_: Any, staff: Any
) -> None:
    close_stage(round_, StageKind.INFORMATION)
    response = _client(None).get(_url("home"))
    assert response.status_code == 200
    response = _client(None).get(_url("round", slug=round_.slug))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-current="step"' in html and "open now" in html
    assert "closed" in html
    assert "At least 1 city from Estonia" in html
    assert "Panel view" not in html
    assert "Panel view" in _client(staff).get(_url("round", slug=round_.slug)).content.decode()


def test_an_unknown_round_is_a_404(db: Any) -> None:
    assert _client(None).get(_url("round", slug="nope")).status_code == 404


def test_a_member_writes_a_draft_and_hands_it_in_through_the_form(
    round_: Any, member: Any, municipality: Any, topic: Any
) -> None:
    client = _client(member)
    assert client.get(_url("challenge_new", slug=round_.slug)).status_code == 200
    form = {
        "city": municipality.slug,
        "title": "Heat in schools",
        "problem": "Classrooms reach 32 °C in June.",
        "topics": [topic.key],
        "language": "en",
        "action": "save",
    }
    response = client.post(_url("challenge_new", slug=round_.slug), form)
    challenge = Challenge.objects.get(title="Heat in schools")
    assert response.status_code == 302 and challenge.status == ChallengeStatus.DRAFT
    response = client.post(
        _url("challenge_edit", pk=challenge.pk), {**form, "action": "submit"}, follow=True
    )
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.SUBMITTED
    assert "has been handed in" in response.content.decode()


def test_a_late_hand_in_through_the_form_keeps_the_draft_and_says_why(
    draft: Challenge, owner: Any, municipality: Any
) -> None:
    close_stage(draft.round, StageKind.CHALLENGES)
    form = {
        "city": municipality.slug,
        "title": "Changed title",
        "problem": "p",
        "language": "en",
        "action": "submit",
    }
    response = _client(owner).post(_url("challenge_edit", pk=draft.pk), form, follow=True)
    draft.refresh_from_db()
    assert draft.status == ChallengeStatus.DRAFT and draft.title == "Changed title"
    assert "deadline" in response.content.decode()


def test_bad_input_in_the_form_is_a_form_error_not_a_500(
    round_: Any, owner: Any, municipality: Any
) -> None:
    form = {
        "city": municipality.slug,
        "title": "",
        "problem": "x",
        "population": "99999999999999999999",
        "language": "xx",
    }
    response = _client(owner).post(_url("challenge_new", slug=round_.slug), form)
    assert response.status_code == 400
    assert not Challenge.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 200),
        ("member", 200),
        ("outsider", 404),
        ("evaluator", 404),
        ("staff", 200),
        (None, 404),
    ],
)
def test_a_draft_is_seen_by_its_city_and_staff_only(
    draft: Challenge, who: str | None, status: int, request: Any
) -> None:
    user = request.getfixturevalue(who) if who else None
    assert _client(user).get(_url("challenge", pk=draft.pk)).status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("owner", 200), ("member", 200), ("outsider", 404), ("staff", 403)]
)
def test_only_the_citys_members_edit_its_challenge(
    draft: Challenge, who: str, status: int, request: Any
) -> None:
    user = request.getfixturevalue(who)
    assert _client(user).get(_url("challenge_edit", pk=draft.pk)).status_code == status


def test_an_anonymous_visitor_is_sent_to_sign_in_for_the_form(round_: Any) -> None:
    response = _client(None).get(_url("challenge_new", slug=round_.slug))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_published_challenge_is_public_and_interests_are_seen_by_owner_and_staff_only(
    published: Challenge, tartu: Any, ee_member: Any, owner: Any, staff: Any, outsider: Any
) -> None:
    services.interest_add(challenge=published, city=tartu, user=ee_member)
    assert "Tartu test" in _client(owner).get(_url("challenge", pk=published.pk)).content.decode()
    assert "Tartu test" in _client(staff).get(_url("challenge", pk=published.pk)).content.decode()
    public = _client(None).get(_url("challenge", pk=published.pk))
    assert public.status_code == 200 and "Tartu test" not in public.content.decode()
    assert (
        "Tartu test"
        not in _client(outsider).get(_url("challenge", pk=published.pk)).content.decode()
    )


def test_the_catalogue_filters_by_topic_and_country(
    published: Challenge, topic: Any, round_: Any
) -> None:
    client = _client(None)
    url = _url("catalogue", slug=round_.slug)
    assert published.title in client.get(url).content.decode()
    assert (
        published.title in client.get(url, {"topic": topic.key, "country": "DE"}).content.decode()
    )
    response = client.get(url, {"topic": "no-such-topic"})
    assert response.status_code == 400 and published.title not in response.content.decode()


def test_another_city_shows_interest_with_the_button(
    published: Challenge, ee_member: Any, tartu: Any
) -> None:
    client = _client(ee_member)
    page = client.get(_url("challenge", pk=published.pk)).content.decode()
    assert "Show our interest" in page
    client.post(_url("interest", pk=published.pk), {"city": tartu.slug, "action": "add"})
    assert Interest.objects.filter(challenge=published, city=tartu).exists()
    client.post(_url("interest", pk=published.pk), {"city": tartu.slug, "action": "remove"})
    assert not Interest.objects.exists()


def test_withdraw_and_revision_buttons_respect_roles(
    draft: Challenge, owner: Any, staff: Any, outsider: Any
) -> None:
    services.challenge_submit(challenge=draft, user=owner)
    assert (
        _client(outsider).post(_url("challenge_revision", pk=draft.pk), {"note": "x"}).status_code
        == 404
    )
    assert (
        _client(owner).post(_url("challenge_revision", pk=draft.pk), {"note": "x"}).status_code
        == 404
    )
    _client(staff).post(_url("challenge_revision", pk=draft.pk), {"note": "More data"})
    assert Challenge.objects.get(pk=draft.pk).status == ChallengeStatus.REVISION
    assert _client(staff).post(_url("challenge_withdraw", pk=draft.pk)).status_code == 403
    _client(owner).post(_url("challenge_withdraw", pk=draft.pk))
    assert Challenge.objects.get(pk=draft.pk).status == ChallengeStatus.WITHDRAWN


def test_the_consortium_builder_shows_the_rule_check_live(
    round_: Any, owner: Any, municipality: Any, tartu: Any, ee_member: Any, outsider: Any
) -> None:
    client = _client(owner)
    size = round_.sizes.get(key="large")
    client.post(
        _url("proposal_new", slug=round_.slug),
        {"lead": municipality.slug, "title": "Pilot", "size": size.pk},
    )
    proposal = round_.proposals.get()
    url = _url("proposal", pk=proposal.pk)
    assert "at least 1 city from Estonia is needed" in client.get(url).content.decode()
    client.post(
        _url("proposal_invite", pk=proposal.pk), {"organisation": tartu.slug, "budget": "1000"}
    )
    invited = ConsortiumMember.objects.get(proposal=proposal, organisation=tartu)
    assert _client(outsider).get(url).status_code == 404
    assert (
        _client(outsider)
        .post(_url("member_answer", pk=invited.pk), {"action": "accept"})
        .status_code
        == 404
    )
    ee = _client(ee_member)
    assert "Accept and join the consortium" in ee.get(url).content.decode()
    ee.post(_url("member_answer", pk=invited.pk), {"action": "accept", "commitment": "Yes"})
    assert "at least 1 city from Estonia is needed" not in client.get(url).content.decode()
    # The invited city cannot change the budget or invite others.
    assert (
        ee.post(
            _url("proposal_invite", pk=proposal.pk), {"organisation": municipality.slug}
        ).status_code
        == 403
    )
    response = client.post(
        _url("member_budget", pk=invited.pk), {"budget": "99999999999999999"}, follow=True
    )
    assert response.status_code == 200
    assert ConsortiumMember.objects.get(pk=invited.pk).budget == 1000
    response = client.post(_url("proposal_submit", pk=proposal.pk), follow=True)
    assert "research or development organisation is needed" in response.content.decode()


def test_the_evaluator_workspace_conflict_and_scoring(
    submitted_proposal: Any, evaluator: Any, evaluator2: Any, owner: Any, staff: Any
) -> None:
    round_ = submitted_proposal.round
    workspace = _url("workspace", slug=round_.slug)
    for user in (owner, staff, None):
        assert _client(user).get(workspace).status_code in (404, 302)
    client = _client(evaluator)
    assert submitted_proposal.title in client.get(workspace).content.decode()
    criteria = list(round_.criteria.all())
    score_url = _url("score", pk=submitted_proposal.pk)
    assert client.get(score_url).status_code == 200
    bad = {f"score_{criteria[0].pk}": "9", f"score_{criteria[1].pk}": "x"}
    assert client.post(score_url, bad).status_code == 400
    good = {f"score_{c.pk}": "4" for c in criteria} | {f"comment_{criteria[0].pk}": "Fits well"}
    assert client.post(score_url, good).status_code == 302
    assert Score.objects.filter(evaluator__user=evaluator).count() == 2
    second = _client(evaluator2)
    second.post(_url("conflict", pk=submitted_proposal.pk), {"reason": "Former employer"})
    assert second.get(score_url).status_code == 404
    assert second.get(_url("proposal", pk=submitted_proposal.pk)).status_code == 404
    assert _client(owner).get(score_url).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"), [("owner", 404), ("evaluator", 404), ("outsider", 404), ("staff", 200)]
)
def test_the_panel_is_for_staff_only(
    submitted_proposal: Any, who: str, status: int, request: Any
) -> None:
    user = request.getfixturevalue(who)
    url = _url("panel", slug=submitted_proposal.round.slug)
    assert _client(user).get(url).status_code == status


def test_staff_set_a_consensus_and_fund_from_the_panel(
    submitted_proposal: Any, staff: Any, owner: Any
) -> None:
    url = _url("consensus", pk=submitted_proposal.pk)
    assert _client(owner).post(url, {"score": "7", "action": "consensus"}).status_code == 404
    client = _client(staff)
    client.post(url, {"score": "7.5", "comment": "Good", "action": "consensus"})
    client.post(url, {"action": "fund"})
    submitted_proposal.refresh_from_db()
    assert str(submitted_proposal.consensus_score) == "7.50"
    assert submitted_proposal.status == "funded"
    page = client.get(_url("panel", slug=submitted_proposal.round.slug)).content.decode()
    assert "Evaluators&#x27; totals" in page or "Evaluators' totals" in page


def test_staff_publish_from_the_round_page(draft: Challenge, owner: Any, staff: Any) -> None:
    services.challenge_submit(challenge=draft, user=owner)
    url = _url("publish", slug=draft.round.slug)
    assert _client(owner).post(url).status_code == 404
    _client(staff).post(url)
    assert Challenge.objects.get(pk=draft.pk).status == ChallengeStatus.PUBLISHED


@pytest.mark.parametrize(("who", "status"), [("owner", 404), ("outsider", 404), ("staff", 200)])
def test_the_export_is_for_staff_and_guards_against_formulas(
    draft: Challenge,
    owner: Any,
    who: str,
    status: int,
    request: Any,
    round_: Any,
    municipality: Any,
) -> None:
    from cityexchange.challenges.tests.conftest import challenge_data

    evil = services.challenge_create(
        round=round_, city=municipality, user=owner, data=challenge_data(title="=HYPERLINK(1)")
    )
    services.challenge_submit(challenge=evil, user=owner)
    client = _client(request.getfixturevalue(who))
    response = client.get(_url("export", slug=round_.slug, fmt="csv"))
    assert response.status_code == status
    if status == 200:
        text = response.content.decode()
        assert "'=HYPERLINK(1)" in text and draft.title not in text
        xlsx = client.get(_url("export", slug=round_.slug, fmt="xlsx"))
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_a_team_hands_in_an_idea_and_staff_select_it_for_everyone_to_see(
    published: Challenge, researcher: Any, research: Any, staff: Any, outsider: Any, round_: Any
) -> None:
    from cityexchange.challenges.models import SolutionIdea

    client = _client(researcher)
    assert client.get(_url("idea_new", slug=round_.slug)).status_code == 200
    response = client.post(
        _url("idea_new", slug=round_.slug),
        {
            "organisation": research.slug,
            "title": "Sensor network",
            "approach": "Cheap sensors",
            "challenges": [str(published.pk)],
        },
    )
    assert response.status_code == 302
    idea = SolutionIdea.objects.get(title="Sensor network")
    assert idea.status == "submitted" and list(idea.challenges.all()) == [published]
    assert (
        "Sensor network" not in _client(None).get(_url("ideas", slug=round_.slug)).content.decode()
    )
    assert (
        _client(outsider).post(_url("idea_select", pk=idea.pk), {"action": "select"}).status_code
        == 404
    )
    _client(staff).post(_url("idea_select", pk=idea.pk), {"action": "select"})
    assert "Sensor network" in _client(None).get(_url("ideas", slug=round_.slug)).content.decode()


def test_staff_counts_name_countries_and_topics_in_the_page_language(
    published: Challenge, topic: Any, round_: Any, staff: Any
) -> None:
    from cityexchange.core.models import ConceptLabel

    ConceptLabel.objects.create(concept=topic, language="de", text="Hochwasser", preferred=True)
    published.topics.add(topic)
    page = _client(staff).get(f"/de{_url('round', slug=round_.slug)[3:]}").content.decode()
    assert '<th scope="row">Deutschland</th><td>1</td>' in page
    assert '<th scope="row">Hochwasser</th><td>1</td>' in page
    assert '<th scope="row">Veröffentlicht</th><td>1</td>' in page
    assert '<th scope="row">flooding</th>' not in page


def test_staff_see_what_each_stage_collected_and_others_do_not(
    published: Challenge,
    submitted_proposal: Any,
    tartu: Any,
    ee_member: Any,
    owner: Any,
    staff: Any,
) -> None:
    round_ = published.round
    services.interest_add(challenge=published, city=tartu, user=ee_member)
    services.proposal_decide(proposal=submitted_proposal, user=staff, funded=True)
    url = f"/de{_url('round', slug=round_.slug)[3:]}"
    page = _client(staff).get(url).content.decode()
    for stage, what, n in (
        ("Aufruf für Herausforderungen", "eingereichte Herausforderungen", 1),
        ("Interessenbekundung", "Interessenbekundungen", 1),
        ("Aufruf für Lösungsideen", "eingereichte Lösungsideen", 0),
        ("Pilotanträge", "eingereichte Pilotanträge", 1),
        ("Bewertung", "bewertete Anträge", 0),
        ("Förderentscheidung", "geförderte Anträge", 1),
        ("Laufende Piloten", "laufende Piloten", 1),
    ):
        assert f'<th scope="row">{stage}</th><td>{what}</td><td>{n}</td>' in page
    assert "Was jede Phase ergeben hat" in page and '<th scope="col">Anzahl</th>' in page
    assert "Was jede Phase ergeben hat" not in _client(owner).get(url).content.decode()


def test_a_team_hands_in_a_draft_idea_later_and_outsiders_cannot(
    published: Challenge, research: Any, researcher: Any, owner: Any, outsider: Any
) -> None:
    round_ = published.round
    close_stage(round_, StageKind.IDEAS)
    # Handing in fails after the deadline: the draft is kept and the page says why.
    client = _client(researcher)
    response = client.post(
        _url("idea_new", slug=round_.slug),
        {
            "organisation": research.slug,
            "title": "Sensors",
            "approach": "Measure the water.",
            "challenges": [published.pk],
        },
        follow=True,
    )
    idea = SolutionIdea.objects.get(title="Sensors")
    assert idea.status == "draft"
    page = response.content.decode()
    assert "saved, but not handed in" in page and "Hand in “Sensors”" in page
    submit = _url("idea_submit", pk=idea.pk)
    response = client.post(submit, follow=True)
    assert "The deadline of “Call for solution ideas” was" in response.content.decode()
    assert SolutionIdea.objects.get(pk=idea.pk).status == "draft"
    # Once the call is open again, the team hands it in; others never can.
    Stage.objects.filter(round=round_, kind=StageKind.IDEAS).update(
        closes_at=timezone.now() + dt.timedelta(days=3)
    )
    for user in (owner, outsider):
        assert _client(user).post(submit).status_code == 404
    assert _client(None).post(submit).status_code == 302
    assert SolutionIdea.objects.get(pk=idea.pk).status == "draft"
    response = client.post(submit, follow=True)
    assert "Your idea has been handed in." in response.content.decode()
    assert SolutionIdea.objects.get(pk=idea.pk).status == "submitted"
    assert "Hand in “Sensors”" not in response.content.decode()


def test_a_stage_announced_in_days_shows_its_closing_time_in_the_viewers_zone(
    round_: Any,
) -> None:
    import zoneinfo

    tallinn = zoneinfo.ZoneInfo("Europe/Tallinn")
    round_.time_zone = "Europe/Tallinn"
    round_.save()
    first = timezone.now().astimezone(tallinn).date() + dt.timedelta(days=2)
    last = first + dt.timedelta(days=9)
    Stage.objects.filter(round=round_, kind=StageKind.INTEREST).update(
        opens_at=dt.datetime.combine(first, dt.time(0), tzinfo=tallinn),
        closes_at=dt.datetime.combine(last, dt.time(23, 59, 59), tzinfo=tallinn),
    )
    with translation.override("es"):
        url = _url("round", slug=round_.slug)
    page = _client(None).get(url).content.decode()
    with translation.override("es"):
        first_text, last_text = (date_format(d, "DATE_FORMAT") for d in (first, last))
    assert f'<span class="stage-days">del {first_text} al {last_text}</span>' in page
    # Berlin (the default viewer zone) is an hour behind Tallinn all year.
    assert f"cierra el {last_text} a las 22:59 (su hora)" in page
