"""Lists cost the same number of queries whatever their length."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cityexchange.challenges import selectors, services
from cityexchange.challenges.tests.conftest import challenge_data
from cityexchange.core.services import membership_add
from cityexchange.core.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _publish(round_: Any, staff: Any, topic: Any, n: int) -> None:
    for _ in range(n):
        city = OrganisationFactory()
        user = UserFactory()
        membership_add(user=user, organisation=city)
        challenge = services.challenge_create(
            round=round_, city=city, user=user, data=challenge_data(topics=[topic])
        )
        services.challenge_submit(challenge=challenge, user=user)
    services.round_publish_challenges(round=round_, user=staff)


def _count(url: str, user: Any) -> int:
    client = Client()
    client.force_login(user)
    client.get(url)  # warm caches (sessions, thesaurus)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_catalogue_and_the_api_list_cost_a_constant_number_of_queries(
    round_: Any, staff: Any, topic: Any, owner: Any
) -> None:
    url = reverse("challenges:catalogue", kwargs={"slug": round_.slug})
    _publish(round_, staff, topic, 2)
    few, few_api = _count(url, owner), _count("/api/v1/challenges", owner)
    _publish(round_, staff, topic, 6)
    assert _count(url, owner) == few
    assert _count("/api/v1/challenges", owner) == few_api


def test_the_panel_costs_a_constant_number_of_queries(
    submitted_proposal: Any, staff: Any, evaluator: Any
) -> None:
    round_ = submitted_proposal.round
    criteria = list(round_.criteria.all())
    services.scores_save(
        proposal=submitted_proposal,
        user=evaluator,
        scores=[services.ScoreInput(criterion=c, value=3) for c in criteria],
    )
    with CaptureQueriesContext(connection) as one:
        selectors.panel(round_)
    for n in range(3):
        lead = OrganisationFactory()
        more_proposal = services.proposal_create(
            round=round_, lead=lead, size=round_.sizes.first(), user=_member_of(lead), title=f"P{n}"
        )
        # Handed in directly: the consortium rules are not what this test is about.
        type(more_proposal).objects.filter(pk=more_proposal.pk).update(status="submitted")
    with CaptureQueriesContext(connection) as more:
        rows = selectors.panel(round_)
    assert len(rows) == 4
    assert len(more) == len(one)


def _member_of(organisation: Any) -> Any:
    user = UserFactory()
    membership_add(user=user, organisation=organisation)
    return user
