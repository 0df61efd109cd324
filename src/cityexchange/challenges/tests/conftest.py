"""The cast of the challenge programme's tests.

A round whose stages are all open now (each test closes what it needs closed), the
2023 round's consortium rules and sizes, two criteria; the Lindenau team (owner,
member) from the project's conftest, an Estonian city, a research centre, two
evaluators, staff and an outsider.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from cityexchange.challenges import services
from cityexchange.challenges.models import (
    Challenge,
    ChallengeStatus,
    ConsortiumRule,
    Criterion,
    PilotSize,
    Round,
    Stage,
    StageKind,
)
from cityexchange.core.models import Concept, Organisation, OrganisationKind
from cityexchange.core.roles import Role
from cityexchange.core.services import membership_add
from cityexchange.core.tests.factories import OrganisationFactory, UserFactory


@pytest.fixture(autouse=True)
def _no_ratelimit(settings: Any) -> None:
    settings.RATELIMIT_ENABLE = False


def make_round(*, slug: str = "test-round", **overrides: Any) -> Round:
    organiser = OrganisationFactory(kind=OrganisationKind.RESEARCH, country="EE", population=None)
    values: dict[str, Any] = {
        "name": "Test round",
        "name_en": "Test round",
        "organiser": organiser,
        "languages": ["en"],
        "max_challenges_per_city": 2,
        "max_interests_per_city": 2,
        "budget": Decimal("4240000"),
        **overrides,
    }
    round_ = Round.objects.create(slug=slug, **values)
    now = timezone.now()
    for kind in StageKind.values:
        Stage.objects.create(
            round=round_,
            kind=kind,
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=1),
        )
    PilotSize.objects.create(
        round=round_,
        key="large",
        name="Large pilot",
        name_en="Large pilot",
        duration_months=36,
        amount=Decimal("1260000"),
        count=2,
    )
    PilotSize.objects.create(
        round=round_,
        key="mid-sized",
        name="Mid-sized pilot",
        name_en="Mid-sized pilot",
        duration_months=24,
        amount=Decimal("860000"),
        count=1,
    )
    ConsortiumRule.objects.create(round=round_, kind="min_cities", count=2)
    ConsortiumRule.objects.create(round=round_, kind="min_cities_from", count=1, country="EE")
    ConsortiumRule.objects.create(round=round_, kind="min_cities_outside", count=1, country="EE")
    ConsortiumRule.objects.create(round=round_, kind="min_research", count=1)
    Criterion.objects.create(
        round=round_,
        key="relevance",
        name="Relevance",
        name_en="Relevance",
        max_score=5,
        position=1,
    )
    Criterion.objects.create(
        round=round_, key="impact", name="Impact", name_en="Impact", max_score=5, position=2
    )
    return round_


def close_stage(round_: Round, kind: str, *, ago: dt.timedelta = dt.timedelta(hours=1)) -> Stage:
    stage = Stage.objects.get(round=round_, kind=kind)
    stage.closes_at = timezone.now() - ago
    stage.opens_at = stage.closes_at - dt.timedelta(days=10)
    stage.save()
    return stage


@pytest.fixture
def round_(db: Any) -> Round:
    return make_round()


@pytest.fixture
def topic(db: Any) -> Concept:
    return Concept.objects.create(key="flooding", label="Flooding")


def challenge_data(**overrides: Any) -> services.ChallengeInput:
    values: dict[str, Any] = {
        "title": "Flooded underpasses",
        "problem": "Heavy rain floods two underpasses within minutes.",
        "desired_outcome": "A warning before the water rises.",
        **overrides,
    }
    return services.ChallengeInput(**values)


@pytest.fixture
def draft(round_: Round, municipality: Organisation, owner: Any, topic: Concept) -> Challenge:
    return services.challenge_create(
        round=round_, city=municipality, user=owner, data=challenge_data(topics=[topic])
    )


@pytest.fixture
def published(draft: Challenge, owner: Any, staff: Any) -> Challenge:
    services.challenge_submit(challenge=draft, user=owner)
    services.round_publish_challenges(round=draft.round, user=staff)
    draft.refresh_from_db()
    assert draft.status == ChallengeStatus.PUBLISHED
    return draft


@pytest.fixture
def tartu(db: Any) -> Organisation:
    return OrganisationFactory(name="Tartu test", slug="tartu-test", country="EE", population=95000)


@pytest.fixture
def ee_member(tartu: Organisation) -> Any:
    user = UserFactory(email="member@tartu.example", roles=[Role.MUNICIPAL_MEMBER], language="de")
    membership_add(user=user, organisation=tartu)
    return user


@pytest.fixture
def research(db: Any) -> Organisation:
    return OrganisationFactory(
        name="Institute",
        slug="institute",
        kind=OrganisationKind.RESEARCH,
        country="FI",
        population=None,
    )


@pytest.fixture
def researcher(research: Organisation) -> Any:
    user = UserFactory(email="researcher@institute.example", roles=[Role.EXPERT], language="es")
    membership_add(user=user, organisation=research)
    return user


@pytest.fixture
def evaluator(round_: Round, staff: Any) -> Any:
    user = UserFactory(email="evaluator@committee.example", roles=[Role.EXPERT])
    services.evaluator_appoint(round=round_, evaluator=user, user=staff)
    return user


@pytest.fixture
def evaluator2(round_: Round, staff: Any) -> Any:
    user = UserFactory(email="evaluator2@committee.example", roles=[Role.EXPERT])
    services.evaluator_appoint(round=round_, evaluator=user, user=staff)
    return user


def full_consortium(
    round_: Round,
    *,
    lead_user: Any,
    lead: Organisation,
    tartu: Organisation,
    ee_member: Any,
    research: Organisation,
    researcher: Any,
    title: str = "Flood pilot",
) -> Any:
    """A proposal led by ``lead`` with an Estonian city and a research partner who accepted."""
    size = round_.sizes.get(key="mid-sized")
    proposal = services.proposal_create(
        round=round_, lead=lead, size=size, user=lead_user, title=title
    )
    for organisation, user in ((tartu, ee_member), (research, researcher)):
        member = services.member_invite(
            proposal=proposal, organisation=organisation, user=lead_user, budget=Decimal("100000")
        )
        services.member_answer(member=member, user=user, accept=True, commitment="We take part.")
    return proposal


@pytest.fixture
def proposal(
    round_: Round,
    owner: Any,
    municipality: Organisation,
    tartu: Organisation,
    ee_member: Any,
    research: Organisation,
    researcher: Any,
) -> Any:
    return full_consortium(
        round_,
        lead_user=owner,
        lead=municipality,
        tartu=tartu,
        ee_member=ee_member,
        research=research,
        researcher=researcher,
    )


@pytest.fixture
def submitted_proposal(proposal: Any, owner: Any) -> Any:
    return services.proposal_submit(proposal=proposal, user=owner)
