"""Reminders for the later stages: draft pilot proposals, evaluators with proposals left
to score, pilot reports falling due. Each is sent once, in the recipient's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cityexchange.challenges import services, tasks
from cityexchange.challenges.models import Criterion, Pilot, Stage, StageKind, add_months
from cityexchange.core.models import User

pytestmark = pytest.mark.django_db


def _closing_in(round_: Any, kind: str, delta: dt.timedelta) -> None:
    Stage.objects.filter(round=round_, kind=kind).update(closes_at=timezone.now() + delta)


@pytest.fixture
def captured(django_capture_on_commit_callbacks: Any) -> Any:
    mail.outbox.clear()
    return django_capture_on_commit_callbacks


def _far(round_: Any) -> None:
    """Every stage closes in a month: no reminder is due unless a test says so."""
    Stage.objects.filter(round=round_).update(closes_at=timezone.now() + dt.timedelta(days=30))


def test_a_draft_proposal_is_reminded_a_week_and_a_day_before_once_each_in_german(
    proposal: Any, owner: Any, member: Any, captured: Any
) -> None:
    _far(proposal.round)
    User.objects.filter(pk=member.pk).update(language="de")
    _closing_in(proposal.round, StageKind.PILOT_PROPOSALS, dt.timedelta(days=5))
    with captured(execute=True):
        assert services.proposal_reminders_send_due() == 2
        assert services.proposal_reminders_send_due() == 0
    german = next(m for m in mail.outbox if m.to == [member.email])
    assert "noch ein Entwurf" in german.subject, german.subject
    assert f"/de/challenges/proposal/{proposal.pk}/" in german.body
    english = next(m for m in mail.outbox if m.to == [owner.email])
    assert "still a draft" in english.subject
    _closing_in(proposal.round, StageKind.PILOT_PROPOSALS, dt.timedelta(hours=10))
    with captured(execute=True):
        assert services.proposal_reminders_send_due() == 2
        assert services.proposal_reminders_send_due() == 0
    assert len(mail.outbox) == 4


def test_a_handed_in_proposal_gets_no_reminder(submitted_proposal: Any) -> None:
    _far(submitted_proposal.round)
    _closing_in(submitted_proposal.round, StageKind.PILOT_PROPOSALS, dt.timedelta(days=2))
    assert services.proposal_reminders_send_due() == 0


def test_evaluators_with_proposals_left_are_reminded_and_those_done_or_conflicted_are_not(
    submitted_proposal: Any, evaluator: Any, evaluator2: Any, captured: Any
) -> None:
    round_ = submitted_proposal.round
    _far(round_)
    User.objects.filter(pk=evaluator.pk).update(language="es")
    services.conflict_declare(proposal=submitted_proposal, user=evaluator2, reason="Partner")
    _closing_in(round_, StageKind.EVALUATION, dt.timedelta(days=6))
    with captured(execute=True):
        assert services.evaluation_reminders_send_due() == 1
        assert services.evaluation_reminders_send_due() == 0
    assert [m.to for m in mail.outbox] == [[evaluator.email]]
    assert "esperan su puntuación" in mail.outbox[0].subject, mail.outbox[0].subject
    # Once everything is scored, the day-before reminder is not sent.
    services.scores_save(
        proposal=submitted_proposal,
        user=evaluator,
        scores=[
            services.ScoreInput(criterion=c, value=3)
            for c in Criterion.objects.filter(round=round_)
        ],
    )
    _closing_in(round_, StageKind.EVALUATION, dt.timedelta(hours=12))
    assert services.evaluation_reminders_send_due() == 0


def test_the_consortium_is_reminded_before_a_pilot_report_is_due_once(
    submitted_proposal: Any, staff: Any, owner: Any, ee_member: Any, researcher: Any, captured: Any
) -> None:
    _far(submitted_proposal.round)
    services.proposal_decide(proposal=submitted_proposal, user=staff, funded=True)
    pilot = Pilot.objects.get(proposal=submitted_proposal)
    today = timezone.localdate()
    # Started three months less four days ago, a report every three months: due in 4 days.
    start = add_months(today + dt.timedelta(days=4), -3)
    services.pilot_plan_set(
        pilot=pilot, user=owner, starts_on=start, ends_on=None, report_every_months=3
    )
    mail.outbox.clear()
    with captured(execute=True):
        assert services.pilot_report_reminders_send_due() == 3
        assert services.pilot_report_reminders_send_due() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [owner.email, ee_member.email, researcher.email]
    )
    german = next(m for m in mail.outbox if m.to == [ee_member.email])
    assert "Bericht" in german.subject, german.subject
    # Handed in: nothing more for that date.
    services.report_add(pilot=pilot, user=owner, title="Q1", text="Going well.")
    assert services.pilot_report_reminders_send_due() == 0


def test_the_hourly_task_sends_every_kind_of_reminder(proposal: Any, captured: Any) -> None:
    _far(proposal.round)
    _closing_in(proposal.round, StageKind.PILOT_PROPOSALS, dt.timedelta(days=3))
    with captured(execute=True):
        assert tasks.send_reminders() >= 1
        assert tasks.send_reminders() == 0


def test_a_draft_idea_is_reminded_a_week_and_a_day_before_once_each_in_spanish(
    published: Any, research: Any, researcher: Any, captured: Any
) -> None:
    round_ = published.round
    _far(round_)
    draft = services.idea_create(
        round=round_,
        organisation=research,
        user=researcher,
        data=services.IdeaInput(title="Sensors", approach="Measure.", challenges=[published]),
    )
    handed_in = services.idea_create(
        round=round_,
        organisation=research,
        user=researcher,
        data=services.IdeaInput(title="Handed in", approach="Map.", challenges=[published]),
    )
    services.idea_submit(idea=handed_in, user=researcher)
    _closing_in(round_, StageKind.IDEAS, dt.timedelta(days=6))
    with captured(execute=True):
        assert tasks.send_reminders() == 1
        assert tasks.send_reminders() == 0
    [message] = mail.outbox
    assert message.to == [researcher.email]
    assert message.subject == "Recordatorio: su idea de solución «Sensors» sigue siendo un borrador"
    assert f"/es/challenges/rounds/{round_.slug}/ideas/" in message.body
    _closing_in(round_, StageKind.IDEAS, dt.timedelta(hours=20))
    with captured(execute=True):
        assert services.idea_reminders_send_due() == 1
        assert services.idea_reminders_send_due() == 0
    services.idea_submit(idea=draft, user=researcher)
    Stage.objects.filter(round=round_, kind=StageKind.IDEAS).update(
        closes_at=timezone.now() + dt.timedelta(days=7)
    )
    assert services.idea_reminders_send_due() == 0
