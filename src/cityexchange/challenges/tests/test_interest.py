"""Other cities show interest in published challenges, within the window and the limit."""

from __future__ import annotations

from typing import Any

import pytest

from cityexchange.challenges import services
from cityexchange.challenges.models import Challenge, Interest, StageKind
from cityexchange.challenges.tests.conftest import challenge_data, close_stage

pytestmark = pytest.mark.django_db


def test_another_city_shows_interest_and_the_owner_sees_it(
    published: Challenge, tartu: Any, ee_member: Any, owner: Any
) -> None:
    services.interest_add(challenge=published, city=tartu, user=ee_member, note="Same problem here")
    assert owner.has_perm("challenges.view_interests", published)
    assert not ee_member.has_perm("challenges.view_interests", published)
    assert [i.city for i in published.interests.all()] == [tartu]


def test_a_city_cannot_show_interest_in_its_own_challenge(
    published: Challenge, municipality: Any, owner: Any
) -> None:
    with pytest.raises(services.ChallengeError, match="own challenge"):
        services.interest_add(challenge=published, city=municipality, user=owner)


def test_interest_twice_is_refused_and_nothing_changes(
    published: Challenge, tartu: Any, ee_member: Any
) -> None:
    services.interest_add(challenge=published, city=tartu, user=ee_member)
    with pytest.raises(services.ChallengeError, match="already"):
        services.interest_add(challenge=published, city=tartu, user=ee_member)
    assert Interest.objects.count() == 1


def test_interest_in_a_draft_or_outside_the_window_is_refused(
    draft: Challenge,
    published: Challenge,
    tartu: Any,
    ee_member: Any,
    round_: Any,
    municipality: Any,
    owner: Any,
) -> None:
    other = services.challenge_create(
        round=round_, city=municipality, user=owner, data=challenge_data()
    )
    with pytest.raises(services.ChallengeError, match="published"):
        services.interest_add(challenge=other, city=tartu, user=ee_member)
    close_stage(round_, StageKind.INTEREST)
    with pytest.raises(services.ChallengeError, match="deadline"):
        services.interest_add(challenge=published, city=tartu, user=ee_member)
    assert not Interest.objects.exists()


def test_a_city_cannot_show_interest_in_more_challenges_than_the_limit(
    round_: Any, municipality: Any, owner: Any, staff: Any, tartu: Any, ee_member: Any
) -> None:
    challenges = []
    for n in range(3):
        c = services.challenge_create(
            round=round_, city=municipality, user=owner, data=challenge_data(title=f"C{n}")
        )
        challenges.append(c)
    round_.max_challenges_per_city = None
    round_.save()
    for c in challenges:
        services.challenge_submit(challenge=c, user=owner)
    services.round_publish_challenges(round=round_, user=staff)
    for c in challenges[:2]:
        services.interest_add(challenge=c, city=tartu, user=ee_member)
    with pytest.raises(services.ChallengeError, match="at most 2 challenges"):
        services.interest_add(challenge=challenges[2], city=tartu, user=ee_member)
    assert Interest.objects.filter(city=tartu).count() == 2


def test_an_outsider_cannot_show_interest_for_a_city_they_do_not_belong_to(
    published: Challenge, tartu: Any, outsider: Any
) -> None:
    with pytest.raises(services.ChallengeError):
        services.interest_add(challenge=published, city=tartu, user=outsider)


def test_partner_suggestions_are_ranked_and_explained(
    published: Challenge, tartu: Any, ee_member: Any, topic: Any, round_: Any, staff: Any
) -> None:
    from cityexchange.challenges import selectors
    from cityexchange.core.services import membership_add
    from cityexchange.core.tests.factories import OrganisationFactory, UserFactory

    # A city with a challenge on the same topic, and Tartu, which showed interest.
    riga = OrganisationFactory(name="Riga test", country="LV", population=600000)
    riga_user = UserFactory()
    membership_add(user=riga_user, organisation=riga)
    own = services.challenge_create(
        round=round_, city=riga, user=riga_user, data=challenge_data(topics=[topic])
    )
    services.challenge_submit(challenge=own, user=riga_user)
    services.interest_add(challenge=published, city=tartu, user=ee_member)
    suggestions = selectors.partner_suggestions(published)
    assert [s.city for s in suggestions] == [tartu, riga]
    assert "showed interest in this challenge" in suggestions[0].reasons
    assert "a city from Estonia, which the round's rules ask for" in suggestions[0].reasons
    assert suggestions[1].reasons == ["handed in a challenge on the same topics: Flooding"]
