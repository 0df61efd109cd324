"""Cities write, hand in, withdraw and revise challenges; deadlines and limits hold."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.utils import timezone, translation

from cityexchange.challenges import services
from cityexchange.challenges.models import Challenge, ChallengeStatus, StageKind
from cityexchange.challenges.tests.conftest import challenge_data, close_stage
from cityexchange.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_member_hands_in_a_draft_and_it_is_audited(draft: Challenge, member: Any) -> None:
    services.challenge_submit(challenge=draft, user=member)
    draft.refresh_from_db()
    assert draft.status == ChallengeStatus.SUBMITTED
    assert draft.submitted_by == member and draft.submitted_at is not None
    assert AuditEntry.objects.filter(action="challenge.submit", object_id=str(draft.pk)).exists()


def test_an_outsider_cannot_write_or_hand_in_a_citys_challenge(
    draft: Challenge, outsider: Any, round_: Any, municipality: Any
) -> None:
    with pytest.raises(services.ChallengeError):
        services.challenge_submit(challenge=draft, user=outsider)
    with pytest.raises(services.ChallengeError):
        services.challenge_create(
            round=round_, city=municipality, user=outsider, data=challenge_data()
        )
    assert Challenge.objects.get(pk=draft.pk).status == ChallengeStatus.DRAFT


def test_a_late_submission_is_refused_with_the_deadline_in_the_users_language_and_zone(
    draft: Challenge, owner: Any
) -> None:
    stage = close_stage(draft.round, StageKind.CHALLENGES)
    stage.closes_at = dt.datetime(2023, 9, 30, 21, 0, tzinfo=dt.UTC)  # 23:00 in Berlin
    stage.opens_at = stage.closes_at - dt.timedelta(days=30)
    stage.save()
    with translation.override("de"), timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        with pytest.raises(services.ChallengeError) as refused:
            services.challenge_submit(challenge=draft, user=owner)
    message = str(refused.value)
    assert "30. September 2023 23:00" in message, message
    assert "CEST" in message and "nichts wurde geändert" in message.lower(), message
    with translation.override("es"), timezone.override(zoneinfo.ZoneInfo("America/Lima")):
        with pytest.raises(services.ChallengeError) as refused:
            services.challenge_submit(challenge=draft, user=owner)
    assert "30 de septiembre de 2023 a las 16:00" in str(refused.value), str(refused.value)
    assert Challenge.objects.get(pk=draft.pk).status == ChallengeStatus.DRAFT


def test_a_draft_is_saved_after_the_deadline_so_nothing_is_lost(
    draft: Challenge, owner: Any
) -> None:
    close_stage(draft.round, StageKind.CHALLENGES)
    services.challenge_update(
        challenge=draft, user=owner, data=challenge_data(title="Flooded underpasses, revised")
    )
    assert Challenge.objects.get(pk=draft.pk).title == "Flooded underpasses, revised"


def test_a_city_cannot_hand_in_more_than_the_rounds_limit(
    round_: Any, municipality: Any, owner: Any
) -> None:
    drafts = [
        services.challenge_create(
            round=round_, city=municipality, user=owner, data=challenge_data(title=f"C{n}")
        )
        for n in range(3)
    ]
    services.challenge_submit(challenge=drafts[0], user=owner)
    services.challenge_submit(challenge=drafts[1], user=owner)
    with pytest.raises(services.ChallengeError, match="at most 2 challenges"):
        services.challenge_submit(challenge=drafts[2], user=owner)
    assert Challenge.objects.get(pk=drafts[2].pk).status == ChallengeStatus.DRAFT
    # A withdrawn challenge frees its place.
    services.challenge_withdraw(challenge=drafts[0], user=owner)
    services.challenge_submit(challenge=drafts[2], user=owner)


def test_a_challenge_cannot_be_handed_in_twice(draft: Challenge, owner: Any) -> None:
    services.challenge_submit(challenge=draft, user=owner)
    with pytest.raises(services.ChallengeError, match="already been handed in"):
        services.challenge_submit(challenge=draft, user=owner)


def test_withdrawal_is_possible_until_the_deadline_only(draft: Challenge, owner: Any) -> None:
    services.challenge_submit(challenge=draft, user=owner)
    close_stage(draft.round, StageKind.CHALLENGES)
    with pytest.raises(services.ChallengeError, match="deadline"):
        services.challenge_withdraw(challenge=draft, user=owner)
    assert Challenge.objects.get(pk=draft.pk).status == ChallengeStatus.SUBMITTED


def test_staff_ask_for_a_revision_and_the_city_hands_it_in_again_after_the_deadline(
    draft: Challenge, owner: Any, staff: Any
) -> None:
    services.challenge_submit(challenge=draft, user=owner)
    with pytest.raises(services.ChallengeError):
        services.challenge_request_revision(challenge=draft, user=owner, note="Add data.")
    services.challenge_request_revision(challenge=draft, user=staff, note="Add the data you have.")
    close_stage(draft.round, StageKind.CHALLENGES)
    services.challenge_update(
        challenge=draft, user=owner, data=challenge_data(data_available="Rain gauges.")
    )
    services.challenge_submit(challenge=draft, user=owner)
    stored = Challenge.objects.get(pk=draft.pk)
    assert (stored.status, stored.data_available) == (ChallengeStatus.SUBMITTED, "Rain gauges.")


def test_a_language_the_round_does_not_accept_is_refused(
    round_: Any, municipality: Any, owner: Any
) -> None:
    with pytest.raises(services.ChallengeError, match="accepts challenges in: en"):
        services.challenge_create(
            round=round_, city=municipality, user=owner, data=challenge_data(language="de")
        )
    assert not Challenge.objects.exists()


def test_staff_publish_handed_in_challenges_only(
    draft: Challenge, owner: Any, staff: Any, round_: Any, municipality: Any
) -> None:
    other = services.challenge_create(
        round=round_, city=municipality, user=owner, data=challenge_data(title="Still a draft")
    )
    services.challenge_submit(challenge=draft, user=owner)
    assert services.round_publish_challenges(round=round_, user=staff) == 1
    assert Challenge.objects.get(pk=draft.pk).status == ChallengeStatus.PUBLISHED
    assert Challenge.objects.get(pk=other.pk).status == ChallengeStatus.DRAFT
