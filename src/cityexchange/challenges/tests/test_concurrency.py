"""Several people at once: submissions at the limit, interest at the limit, two
evaluators saving together. Threads released by a barrier, each with its own
connection (PostgreSQL: select_for_update on the round; SQLite: IMMEDIATE)."""

from __future__ import annotations

from typing import Any

import pytest

from cityexchange.challenges import services
from cityexchange.challenges.models import Challenge, ChallengeStatus, Criterion, Interest, Score
from cityexchange.challenges.tests.conftest import challenge_data, full_consortium, make_round
from cityexchange.core.roles import Role
from cityexchange.core.services import membership_add
from cityexchange.core.tests.concurrency import race
from cityexchange.core.tests.factories import OrganisationFactory, UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_two_members_handing_in_the_last_allowed_challenge_at_once_one_wins() -> None:
    round_ = make_round(max_challenges_per_city=1)
    city = OrganisationFactory()
    users = [UserFactory(roles=[Role.MUNICIPAL_MEMBER]) for _ in range(2)]
    for user in users:
        membership_add(user=user, organisation=city)
    drafts = [
        services.challenge_create(
            round=round_, city=city, user=u, data=challenge_data(title=f"C{n}")
        )
        for n, u in enumerate(users)
    ]
    results = race(
        [
            lambda d=d, u=u: services.challenge_submit(challenge=d, user=u)
            for d, u in zip(drafts, users, strict=True)
        ]
    )
    refused = [r for r in results if isinstance(r, services.ChallengeError)]
    assert len(refused) == 1, results
    assert Challenge.objects.filter(status=ChallengeStatus.SUBMITTED).count() == 1
    assert Challenge.objects.filter(status=ChallengeStatus.DRAFT).count() == 1


def test_a_city_showing_interest_in_many_challenges_at_once_stays_within_its_limit() -> None:
    round_ = make_round(max_challenges_per_city=None, max_interests_per_city=2)
    owner_city = OrganisationFactory()
    owner = UserFactory(roles=[Role.MUNICIPAL_MEMBER])
    membership_add(user=owner, organisation=owner_city)
    staff = UserFactory(roles=[Role.NETWORK_STAFF])
    challenges = []
    for n in range(4):
        c = services.challenge_create(
            round=round_, city=owner_city, user=owner, data=challenge_data(title=f"C{n}")
        )
        services.challenge_submit(challenge=c, user=owner)
        challenges.append(c)
    services.round_publish_challenges(round=round_, user=staff)
    city = OrganisationFactory(country="EE")
    member = UserFactory(roles=[Role.MUNICIPAL_MEMBER])
    membership_add(user=member, organisation=city)
    results = race(
        [lambda c=c: services.interest_add(challenge=c, city=city, user=member) for c in challenges]
    )
    assert sum(isinstance(r, Interest) for r in results) == 2, results
    assert Interest.objects.filter(city=city).count() == 2


def _submitted_proposal(round_: Any, *, lead_country: str = "") -> tuple[Any, Any, Any]:
    """Network staff, the lead's user and a handed-in proposal of a full consortium."""
    staff = UserFactory(roles=[Role.NETWORK_STAFF])
    lead = OrganisationFactory(country=lead_country) if lead_country else OrganisationFactory()
    lead_user = UserFactory()
    membership_add(user=lead_user, organisation=lead)
    tartu = OrganisationFactory(country="EE")
    ee = UserFactory()
    membership_add(user=ee, organisation=tartu)
    research = OrganisationFactory(kind="research", country="FI", population=None)
    researcher = UserFactory()
    membership_add(user=researcher, organisation=research)
    proposal = full_consortium(
        round_,
        lead_user=lead_user,
        lead=lead,
        tartu=tartu,
        ee_member=ee,
        research=research,
        researcher=researcher,
    )
    services.proposal_submit(proposal=proposal, user=lead_user)
    return staff, lead_user, proposal


def test_two_evaluators_saving_at_once_lose_nothing() -> None:
    round_ = make_round()
    staff, lead_user, proposal = _submitted_proposal(round_)
    evaluators = [UserFactory() for _ in range(2)]
    for user in evaluators:
        services.evaluator_appoint(round=round_, evaluator=user, user=staff)
    criteria = list(Criterion.objects.filter(round=round_))

    def saving(user: Any, value: int) -> Any:
        scores = [services.ScoreInput(criterion=c, value=value) for c in criteria]
        return lambda: services.scores_save(proposal=proposal, user=user, scores=scores)

    results = race([saving(evaluators[0], 3), saving(evaluators[1], 5)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(Score.objects.values_list("evaluator__user_id", "value")) == sorted(
        [(evaluators[0].pk, 3)] * 2 + [(evaluators[1].pk, 5)] * 2
    )


def test_cities_handing_in_together_at_the_deadline_lose_nothing() -> None:
    import datetime as dt

    from django.utils import timezone

    from cityexchange.challenges.models import Stage, StageKind

    round_ = make_round(max_challenges_per_city=3)
    pairs = []
    for n in range(6):
        city = OrganisationFactory()
        user = UserFactory()
        membership_add(user=user, organisation=city)
        draft = services.challenge_create(
            round=round_, city=city, user=user, data=challenge_data(title=f"C{n}")
        )
        pairs.append((draft, user))
    deadline = timezone.now() + dt.timedelta(minutes=5)
    Stage.objects.filter(round=round_, kind=StageKind.CHALLENGES).update(closes_at=deadline)
    # Four arrive in the last second before the deadline, two in the first after it.
    on_time = [deadline - dt.timedelta(milliseconds=500)] * 4
    late = [deadline + dt.timedelta(milliseconds=1)] * 2
    jobs = [
        (lambda d=d, u=u, at=at: services.challenge_submit(challenge=d, user=u, now=at))
        for (d, u), at in zip(pairs, on_time + late, strict=True)
    ]
    results = race(jobs)
    assert [isinstance(r, Challenge) for r in results] == [True] * 4 + [False] * 2, results
    assert all("deadline" in str(r) for r in results[4:])
    statuses = [Challenge.objects.get(pk=d.pk).status for d, _u in pairs]
    assert statuses == ["submitted"] * 4 + ["draft"] * 2


def test_lead_and_staff_publishing_a_pilots_results_at_once_make_one_library_page() -> None:
    from cityexchange.challenges.models import Pilot
    from cityexchange.library.models import Resource

    round_ = make_round()
    staff, lead_user, proposal = _submitted_proposal(round_, lead_country="DE")
    services.proposal_decide(proposal=proposal, user=staff, funded=True)
    pilot = Pilot.objects.get(proposal=proposal)
    services.outcomes_save(
        pilot=pilot, user=lead_user, results="Fewer floods.", lessons="", languages=["en"]
    )
    results = race(
        [
            lambda: services.pilot_publish_results(pilot=pilot, user=lead_user),
            lambda: services.pilot_publish_results(pilot=pilot, user=staff),
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Resource.objects.count() == 1
    pilot.refresh_from_db()
    assert pilot.resource_id == Resource.objects.get().pk
