"""The scoring rule: levels, "don't know", missing answers, uncertainty, weakest, targets."""

from __future__ import annotations

from typing import Any

import pytest

from cityexchange.assessments import scoring
from cityexchange.assessments.scoring import AnswerSpec, DimensionSpec, IndicatorSpec

from .conftest import answer_all

DIMENSIONS = [
    DimensionSpec(
        "a", "A", [IndicatorSpec("a1", "A1"), IndicatorSpec("a2", "A2"), IndicatorSpec("a3", "A3")]
    ),
    DimensionSpec("b", "B", [IndicatorSpec("b1", "B1"), IndicatorSpec("b2", "B2")]),
]


def test_a_dimension_scores_the_mean_of_its_chosen_levels() -> None:
    results = scoring.score(
        DIMENSIONS,
        {
            "a1": AnswerSpec(4),
            "a2": AnswerSpec(2),
            "a3": AnswerSpec(1),
            "b1": AnswerSpec(3),
            "b2": AnswerSpec(3),
        },
    )
    a, b = results.dimensions
    assert a.score == pytest.approx(7 / 3) and a.rounded == 2.3
    assert b.score == 3.0
    assert results.overall == pytest.approx((7 / 3 + 3) / 2)
    assert [i.key for i in a.weakest] == ["a3"]
    assert results.strongest == [b] and results.weakest == [a]


def test_dont_know_and_missing_answers_score_zero_but_are_reported_as_not_known() -> None:
    results = scoring.score(
        DIMENSIONS, {"a1": AnswerSpec(3), "a2": AnswerSpec(None, dont_know=True)}
    )
    a, b = results.dimensions
    assert a.score == 1.0  # (3 + 0 + 0) / 3
    assert (a.not_known, a.dont_know, a.unanswered) == (2, 1, 1)
    assert b.score == 0.0 and b.not_known == 2
    assert results.not_known == 4 and results.answered == 2


def test_a_level_sent_with_dont_know_counts_as_not_known() -> None:
    results = scoring.score(DIMENSIONS, {"b1": AnswerSpec(4, dont_know=True), "b2": AnswerSpec(2)})
    assert results.dimensions[1].score == 1.0
    assert results.dimensions[1].not_known == 1


def test_a_dimension_with_more_than_half_not_known_is_uncertain() -> None:
    half = scoring.score(DIMENSIONS, {"b1": AnswerSpec(2)}).dimensions[1]
    more = scoring.score(DIMENSIONS, {"a1": AnswerSpec(2)}).dimensions[0]
    assert half.not_known == 1 and not half.uncertain  # exactly half is not more than half
    assert more.not_known == 2 and more.uncertain


@pytest.mark.parametrize(
    ("current", "target"), [(0.0, 1), (1.0, 2), (1.3, 3), (2.9, 4), (3.5, 4), (4.0, 4)]
)
def test_the_default_target_is_the_score_rounded_up_plus_one_capped_at_four(
    current: float, target: int
) -> None:
    assert scoring.default_target(current) == target


def test_a_target_set_by_the_municipality_wins_over_the_default() -> None:
    results = scoring.score(DIMENSIONS, {"b1": AnswerSpec(1)}, {"b": 4})
    assert results.dimensions[1].target == 4
    assert results.dimensions[0].target == 1


def test_stored_answers_are_scored_with_the_same_rule(assessment: Any, owner: Any) -> None:
    from cityexchange.assessments.selectors import results_for

    answer_all(assessment, owner, {"smart-city-strategy": 3, "digital-lead": None, "open-data": 2})
    results = results_for(assessment)
    governance, data = results.dimensions
    assert governance.score == 1.0 and governance.dont_know == 1 and governance.unanswered == 1
    assert governance.uncertain
    assert data.score == 1.0 and not data.uncertain
    assert [i.key for i in data.weakest] == ["data-platform"]
