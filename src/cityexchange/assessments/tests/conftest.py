"""Fixtures of the assessments tests: a small maturity model and assessments of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "small_model.yaml"


@pytest.fixture
def topics(db: Any) -> None:
    from cityexchange.core.models import Concept

    for key in ("governance", "open-data"):
        Concept.objects.get_or_create(key=key, defaults={"label": key})


@pytest.fixture
def maturity_model(topics: None) -> Any:
    from cityexchange.assessments.loading import load_model

    model, _what = load_model(FIXTURE)
    return model


@pytest.fixture
def assessment(maturity_model: Any, municipality: Any, owner: Any) -> Any:
    from cityexchange.assessments.services import assessment_start

    return assessment_start(organisation=municipality, user=owner)


def answer_all(assessment: Any, user: Any, levels: dict[str, int | None]) -> None:
    """Answer indicators by key; None means "don't know"."""
    from cityexchange.assessments.models import Indicator
    from cityexchange.assessments.services import AnswerInput, answers_save

    indicators = {
        i.key: i for i in Indicator.objects.filter(maturity_model=assessment.maturity_model)
    }
    answers_save(
        assessment=assessment,
        answers=[
            AnswerInput(indicator=indicators[key], level=level, dont_know=level is None)
            for key, level in levels.items()
        ],
        user=user,
    )


@pytest.fixture(autouse=True)
def english() -> Any:
    """Each test starts in English: a German page request must not leak into the next test."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def empty_cache() -> Any:
    """Roadmap links are cached; every test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
