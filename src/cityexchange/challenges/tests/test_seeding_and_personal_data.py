"""The shipped 2023 round loads idempotently with its public facts; demo content only
with --demo; a person's part is exported and unlinked on erasure."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from cityexchange.challenges import seeding, services
from cityexchange.challenges.models import (
    Challenge,
    ConsortiumMember,
    Milestone,
    Pilot,
    PilotProposal,
    PilotReport,
    Round,
    Score,
    SolutionIdea,
)
from cityexchange.core.services import user_erase, user_personal_data
from cityexchange.core.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

SLUG = "finest-smart-city-challenge-2023"
TALLINN = zoneinfo.ZoneInfo("Europe/Tallinn")


@pytest.fixture
def finest(db: Any) -> Any:
    return OrganisationFactory(
        slug="finest-centre", name="FinEst Centre", kind="research", country="EE"
    )


def test_the_2023_round_is_loaded_with_its_dates_sizes_and_rules(finest: Any) -> None:
    assert seeding.seed(demo=False) == [f"round {SLUG}: created"]
    assert seeding.seed(demo=False) == [f"round {SLUG}: updated"]
    round_ = Round.objects.get(slug=SLUG)
    assert round_.organiser == finest
    assert (round_.max_challenges_per_city, round_.max_interests_per_city) == (3, 5)
    assert round_.budget is None and round_.languages == ["en"]
    stages = {s.kind: s for s in round_.stages.all()}
    assert stages["challenges"].closes_at.astimezone(TALLINN).date() == dt.date(2023, 9, 30)
    assert stages["interest"].opens_at.astimezone(TALLINN).date() == dt.date(2023, 10, 1)
    assert stages["interest"].closes_at.astimezone(TALLINN).date() == dt.date(2023, 10, 18)
    assert stages["pilot_proposals"].closes_at.astimezone(TALLINN).date() == dt.date(2024, 2, 29)
    assert stages["evaluation"].closes_at.astimezone(TALLINN).date() == dt.date(2024, 9, 12)
    assert stages["pilots"].opens_at.astimezone(TALLINN).date() == dt.date(2024, 11, 1)
    sizes = [(s.key, s.duration_months, s.amount, s.count) for s in round_.sizes.all()]
    assert sizes == [("large", 36, Decimal("1260000"), 2), ("mid-sized", 24, Decimal("860000"), 2)]
    assert [(r.kind, r.count, r.country) for r in round_.rules.all()] == [
        ("min_cities", 2, ""),
        ("min_cities_from", 1, "EE"),
        ("min_cities_outside", 1, "EE"),
        ("min_research", 1, ""),
    ]
    assert Round.objects.count() == 1 and round_.stages.count() == 8
    assert not Challenge.objects.exists()


def test_without_the_organiser_the_round_is_skipped(db: Any) -> None:
    assert "skipped" in seeding.seed(demo=False)[0]


@pytest.fixture
def demo_towns(finest: Any) -> dict[str, Any]:
    return {
        slug: OrganisationFactory(slug=slug, name=name, country=country, kind=kind)
        for slug, name, country, kind in (
            ("demo-hafenberg", "Hafenberg (demo)", "DE", "municipality"),
            ("demo-villa-sol", "Villa del Sol (demo)", "PE", "municipality"),
            ("demo-lindenau", "Lindenau (demo)", "DE", "municipality"),
            ("demo-naidislinn", "Näidislinn (demo)", "EE", "municipality"),
            ("demo-urban-water-lab", "Urban Water Lab (demo)", "EE", "research"),
        )
    }


DEMO_MODELS = (Challenge, SolutionIdea, PilotProposal, ConsortiumMember, Pilot, Milestone)


def _rows() -> dict[str, list[tuple[Any, ...]]]:
    rows = {m.__name__: sorted(m.objects.values_list()) for m in DEMO_MODELS}
    rows["PilotReport"] = sorted(PilotReport.objects.values_list("pilot", "title", "submitted_at"))
    return rows


def test_demo_content_is_marked_and_loaded_once(demo_towns: Any) -> None:
    seeding.seed(demo=True)
    first = _rows()
    assert seeding.seed(demo=True)[-1] == "demo content: unchanged; demo pilot: unchanged"
    assert _rows() == first
    assert Challenge.objects.count() == 2
    assert all(c.is_demo and "(demo)" in c.title for c in Challenge.objects.all())
    proposal = PilotProposal.objects.get(status="draft")
    assert proposal.is_demo
    # The demo consortium breaks the rules on purpose: no Estonian city, no research partner.
    assert [c.kind for c in services.consortium_check(proposal) if not c.met] == [
        "min_cities_from",
        "min_research",
    ]


def test_the_demo_pilot_grows_out_of_the_demo_idea_and_is_shown_as_demo(
    demo_towns: Any,
) -> None:
    seeding.seed(demo=True)
    pilot = Pilot.objects.select_related("proposal__idea").get()
    proposal = pilot.proposal
    assert pilot.is_demo and proposal.is_demo and "(demo)" in pilot.title
    assert proposal.status == "funded" and proposal.size.key == "mid-sized"
    assert proposal.idea == SolutionIdea.objects.get(is_demo=True)
    assert {m.organisation.slug for m in proposal.members.all()} == set(demo_towns) - {
        "demo-lindenau"
    }
    # A funded pilot of this round: its consortium meets every one of the round's rules.
    assert [c.kind for c in services.consortium_check(proposal) if not c.met] == []
    roles = {m.organisation.slug: m.role for m in proposal.members.all()}
    assert roles["demo-urban-water-lab"] == "research" and roles["demo-naidislinn"] == "city"
    assert (pilot.starts_on, pilot.ends_on) == (dt.date(2024, 11, 1), dt.date(2026, 10, 31))
    assert [(m.status, "(demo)" in m.title) for m in pilot.milestones.all()] == [
        ("done", True),
        ("planned", True),
    ]
    assert [r.title for r in pilot.reports.all()] == ["First annual report (demo)"]
    # Its page names the demo challenges it answers, with their cities, and says demo.
    with translation.override("de"):
        page = Client().get(reverse("challenges:pilot", kwargs={"pk": pilot.pk}))
    text = page.content.decode()
    assert page.status_code == 200 and '<span class="badge">Demo</span>' in text
    for challenge in Challenge.objects.select_related("city"):
        assert escape(challenge.title) in text
        assert f"eingereicht von {challenge.city.name}" in text


def test_an_installation_seeded_before_the_demo_pilot_gets_it_once(demo_towns: Any) -> None:
    seeding.seed(demo=True)
    Pilot.objects.all().delete()
    PilotProposal.objects.filter(status="funded").delete()
    assert seeding.seed(demo=True)[-1] == "demo content: unchanged; demo pilot: created"
    seeding.seed(demo=True)
    assert Pilot.objects.count() == 1 and PilotReport.objects.count() == 1


def test_without_demo_there_is_no_pilot(finest: Any, demo_towns: Any) -> None:
    seeding.seed(demo=False)
    assert not Pilot.objects.exists() and not PilotProposal.objects.exists()


def test_a_persons_part_is_exported_and_unlinked_on_erasure(
    submitted_proposal: Any, owner: Any, evaluator: Any, draft: Any
) -> None:
    criteria = list(submitted_proposal.round.criteria.all())
    services.scores_save(
        proposal=submitted_proposal,
        user=evaluator,
        scores=[
            services.ScoreInput(criterion=c, value=3, comment="Private remark") for c in criteria
        ],
    )
    data = user_personal_data(user=owner)["challenges"]
    assert [c["title"] for c in data["challenges_created"]] == [draft.title]
    assert [p["title"] for p in data["proposals_created"]] == [submitted_proposal.title]
    scored = user_personal_data(user=evaluator)["challenges"]
    assert scored["evaluator_of"] == [submitted_proposal.round.slug]
    assert {s["comment"] for s in scored["scores"]} == {"Private remark"}

    user_erase(user=owner)
    user_erase(user=evaluator)
    kept = Challenge.objects.get(pk=draft.pk)
    assert kept.created_by is None and kept.title == draft.title
    assert PilotProposal.objects.get(pk=submitted_proposal.pk).created_by is None
    assert set(Score.objects.values_list("comment", flat=True)) == {""}
    assert user_personal_data(user=owner)["challenges"]["challenges_created"] == []


def test_the_timeline_shows_the_announced_days_and_closing_times_in_the_viewers_zone(
    finest: Any,
) -> None:
    seeding.seed(demo=False)
    round_ = Round.objects.get(slug=SLUG)
    assert round_.time_zone == "Europe/Tallinn"
    with translation.override("de"):
        url = reverse("challenges:round", kwargs={"slug": SLUG})
    page = Client().get(url).content.decode()
    # The webinar on 23 August is that day, not "22 August 23:00 until 23 August 22:59"
    # as Berlin's clocks would put it.
    assert '<span class="stage-days">23. August 2023</span>' in page
    assert '<span class="stage-days">1. Oktober 2023 bis 18. Oktober 2023</span>' in page
    assert "22. August 2023 23:00" not in page
    assert "Die Tage sind die vom Veranstalter angekündigten (Europe/Tallinn)" in page
    assert Client().get(f"/api/v1/challenges/rounds/{SLUG}").json()["time_zone"] == (
        "Europe/Tallinn"
    )
