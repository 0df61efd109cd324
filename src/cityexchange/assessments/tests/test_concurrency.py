"""Several team members at once: answers never overwrite each other, submitting freezes."""

from __future__ import annotations

from typing import Any

import pytest

from cityexchange.assessments.models import Answer, Assessment, Indicator
from cityexchange.assessments.selectors import results_for
from cityexchange.assessments.services import (
    AnswerInput,
    AnswersSaved,
    AssessmentError,
    answers_save,
    assessment_submit,
)
from cityexchange.core.tests.concurrency import race

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_members_saving_different_indicators_at_once_all_keep_their_answers(
    assessment: Any, owner: Any, member: Any
) -> None:
    indicators = list(Indicator.objects.filter(maturity_model=assessment.maturity_model))
    users = [owner, member]
    jobs = [
        (
            lambda i=i, n=n: answers_save(
                assessment=assessment,
                answers=[AnswerInput(indicator=i, level=n % 5, dont_know=False, notes=f"by {n}")],
                user=users[n % 2],
            )
        )
        for n, i in enumerate(indicators)
    ]
    results = race(jobs)
    assert all(isinstance(r, AnswersSaved) and not r.conflicts for r in results), results
    saved = dict(Answer.objects.values_list("indicator__key", "notes"))
    assert saved == {i.key: f"by {n}" for n, i in enumerate(indicators)}


def test_an_answer_racing_a_submission_is_either_frozen_in_or_refused(
    assessment: Any, owner: Any, member: Any
) -> None:
    indicators = list(Indicator.objects.filter(maturity_model=assessment.maturity_model))
    jobs: list[Any] = [lambda: assessment_submit(assessment=assessment, user=owner)]
    jobs += [
        (
            lambda i=i: answers_save(
                assessment=assessment,
                answers=[AnswerInput(indicator=i, level=4, dont_know=False)],
                user=member,
            )
        )
        for i in indicators
    ]
    results = race(jobs)
    assert isinstance(results[0], Assessment)
    for indicator, result in zip(indicators, results[1:], strict=True):
        stored = Answer.objects.filter(indicator=indicator).exists()
        assert (isinstance(result, AnswersSaved) and stored) or (
            isinstance(result, AssessmentError) and not stored
        ), result
    submitted = Assessment.objects.get(pk=assessment.pk)
    # The frozen scores are exactly those of the answers that made it in.
    assert submitted.dimension_scores == results_for(submitted).snapshot()


def test_two_members_changing_the_same_answer_at_once_cannot_both_win(
    assessment: Any, owner: Any, member: Any
) -> None:
    indicator = Indicator.objects.filter(maturity_model=assessment.maturity_model).first()
    answers_save(
        assessment=assessment,
        answers=[AnswerInput(indicator=indicator, level=1, dont_know=False)],
        user=owner,
    )
    jobs = [
        (
            lambda n=n, user=user: answers_save(
                assessment=assessment,
                answers=[
                    AnswerInput(
                        indicator=indicator,
                        level=n + 1,
                        dont_know=False,
                        notes=f"by {n}",
                        expected_version=1,
                    )
                ],
                user=user,
            )
        )
        for n, user in enumerate([owner, member, owner, member])
    ]
    results = race(jobs)
    assert all(isinstance(r, AnswersSaved) for r in results), results
    winners = [n for n, r in enumerate(results) if r.changed]
    assert len(winners) == 1
    assert sum(len(r.conflicts) for r in results) == 3
    stored = Answer.objects.get(indicator=indicator)
    assert (stored.version, stored.notes, stored.level) == (2, f"by {winners[0]}", winners[0] + 1)
