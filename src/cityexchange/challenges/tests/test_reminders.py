"""Reminder mails a week and a day before the call for challenges closes, once each."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cityexchange.challenges import services
from cityexchange.challenges.models import Challenge, Stage, StageKind

pytestmark = pytest.mark.django_db


def _closing_in(round_: Any, delta: dt.timedelta) -> None:
    Stage.objects.filter(round=round_, kind=StageKind.CHALLENGES).update(
        closes_at=timezone.now() + delta
    )


def test_drafts_get_a_reminder_a_week_and_a_day_before_once_each(
    draft: Challenge, owner: Any, member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from cityexchange.core.models import User

    User.objects.filter(pk=member.pk).update(language="de")
    _closing_in(draft.round, dt.timedelta(days=6))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send_due() == 2
        assert services.reminders_send_due() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.email, member.email])
    assert any("noch ein Entwurf" in m.subject for m in mail.outbox), [
        m.subject for m in mail.outbox
    ]
    _closing_in(draft.round, dt.timedelta(hours=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send_due() == 2
        assert services.reminders_send_due() == 0
    assert len(mail.outbox) == 4


def test_handed_in_challenges_and_far_deadlines_get_no_reminder(
    draft: Challenge, owner: Any
) -> None:
    _closing_in(draft.round, dt.timedelta(days=20))
    assert services.reminders_send_due() == 0
    _closing_in(draft.round, dt.timedelta(days=3))
    services.challenge_submit(challenge=draft, user=owner)
    assert services.reminders_send_due() == 0
