"""Roadmap quality with the shipped model: foundations first, only what the gap needs,
explained priorities, warnings for years over capacity, constant queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cityexchange.assessments.models import Indicator, RoadmapItem, RoadmapStatus
from cityexchange.assessments.services import (
    AnswerInput,
    answers_save,
    assessment_start,
    assessment_submit,
    capacity_set,
    roadmap_item_update,
    targets_set,
)


@pytest.fixture
def shipped(thesaurus: None) -> Any:
    from cityexchange.assessments.loading import load_model

    model, _what = load_model()
    return model


@pytest.fixture
def newcomer(shipped: Any, municipality: Any, owner: Any) -> Any:
    """Lindenau (8,000 inhabitants: capacity 4) at level 0 everywhere, submitted."""
    assessment = assessment_start(organisation=municipality, user=owner)
    answers_save(
        assessment=assessment,
        answers=[
            AnswerInput(indicator=i, level=0, dont_know=False)
            for i in Indicator.objects.filter(maturity_model=shipped)
        ],
        user=owner,
    )
    return assessment_submit(assessment=assessment, user=owner)


def _targets(assessment: Any, owner: Any, level: int) -> None:
    keys = assessment.maturity_model.dimensions.values_list("key", flat=True)
    targets_set(assessment=assessment, targets=dict.fromkeys(keys, level), user=owner)


def _years(assessment: Any) -> dict[str, int | None]:
    return dict(
        RoadmapItem.objects.filter(assessment=assessment).values_list("activity__key", "year")
    )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_small_newcomer_with_gaps_everywhere_adopts_its_strategy_in_the_first_year(
    newcomer: Any, owner: Any
) -> None:
    _targets(newcomer, owner, 3)
    years = _years(newcomer)
    assert years["appoint-smart-city-lead"] == 1
    assert years["adopt-smart-city-strategy"] == 1
    item = RoadmapItem.objects.get(assessment=newcomer, activity__key="adopt-smart-city-strategy")
    kinds = {r["kind"]: r for r in item.reasons}
    assert kinds["unlocks"]["count"] >= 6
    assert kinds["gap"] == {"kind": "gap", "levels": 3, "indicator": "smart-city-strategy"}
    page = _client(owner).get(reverse("assessments:roadmap", kwargs={"id": newcomer.pk}))
    content = page.content.decode()
    assert f"unlocks {kinds['unlocks']['count']} further steps" in content
    indicator = Indicator.objects.get(
        maturity_model=newcomer.maturity_model, key="smart-city-strategy"
    )
    assert f"closes a gap of 3 levels in {indicator.name}" in content
    assert "quick win" in content
    assert "How the roadmap is planned" in content


def test_a_town_moving_one_level_in_data_for_decisions_gets_no_digital_twin(
    newcomer: Any,
) -> None:
    # Default targets: level 0 aims at 1, a gap of one level everywhere.
    years = _years(newcomer)
    assert "build-dashboards" in years
    assert "develop-digital-twin" not in years
    assert "build-urban-data-platform" not in years
    # One activity per indicator at most, plus what those build on.
    assert "create-data-inventory" in years  # dashboards build on the inventory


def test_with_the_highest_targets_every_activity_of_an_indicator_is_planned(
    newcomer: Any, owner: Any
) -> None:
    _targets(newcomer, owner, 4)
    assert {"build-dashboards", "build-urban-data-platform", "develop-digital-twin"} <= set(
        _years(newcomer)
    )


def test_a_done_activity_makes_room_for_the_next_one_of_its_indicator(
    newcomer: Any, owner: Any
) -> None:
    item = RoadmapItem.objects.get(assessment=newcomer, activity__key="build-dashboards")
    roadmap_item_update(item=item, user=owner, status=RoadmapStatus.DONE)
    capacity_set(assessment=newcomer, capacity=5, user=owner)  # re-plans
    years = _years(newcomer)
    assert "build-urban-data-platform" in years and "develop-digital-twin" not in years


def test_kept_decisions_over_the_capacity_are_flagged_for_that_year(
    newcomer: Any, owner: Any
) -> None:
    items = {
        i.activity.key: i
        for i in RoadmapItem.objects.filter(assessment=newcomer).select_related("activity")
    }
    year_one = [i for i in items.values() if i.year == 1]
    for item in year_one:
        roadmap_item_update(item=item, user=owner, status=RoadmapStatus.ACCEPTED)
    capacity_set(assessment=newcomer, capacity=1, user=owner)
    effort = sum(i.activity.effort for i in year_one)
    assert effort > 1
    content = (
        _client(owner)
        .get(reverse("assessments:roadmap", kwargs={"id": newcomer.pk}))
        .content.decode()
    )
    assert "Over capacity:" in content
    assert f"this year holds {effort} effort points, more than your capacity of 1" in content
    assert 'id="year-1-warning"' in content
    roadmap = _client(owner).get(f"/api/v1/assessments/{newcomer.pk}/roadmap").json()
    assert 1 in roadmap["over_capacity_years"] and roadmap["effort_by_year"]["1"] == effort


def test_a_year_within_capacity_shows_no_warning(newcomer: Any, owner: Any) -> None:
    content = (
        _client(owner)
        .get(reverse("assessments:roadmap", kwargs={"id": newcomer.pk}))
        .content.decode()
    )
    assert "Over capacity:" not in content


def test_the_roadmap_of_the_shipped_model_costs_the_same_queries_at_two_sizes(
    newcomer: Any, owner: Any, django_assert_num_queries: Any
) -> None:
    from .test_roadmap import _offer, _resource

    client = _client(owner)
    url = reverse("assessments:roadmap", kwargs={"id": newcomer.pk})
    _offer("lead-training", "training", ["governance"])
    _resource("lead-guide", ["governance"])
    small = RoadmapItem.objects.filter(assessment=newcomer).count()
    with django_assert_num_queries(SHIPPED_ROADMAP_QUERIES):
        assert client.get(url).status_code == 200
    _targets(newcomer, owner, 4)
    for n in range(15):
        _offer(f"offer-{n}", ("training", "tool", "membership_network")[n % 3], ["governance"])
        _resource(f"guide-{n}", ["governance", "open-data"], day=n + 1)
    large = RoadmapItem.objects.filter(assessment=newcomer).count()
    assert large > 2 * small
    with django_assert_num_queries(SHIPPED_ROADMAP_QUERIES):
        assert client.get(url).status_code == 200


# Measured: the first load of a 57-activity roadmap cost 120 queries before the
# offers and resources were fetched in one batch; then 14 at every size; 15 since the
# offers' organisers are fetched too (eligibility of members-only offers).
SHIPPED_ROADMAP_QUERIES = 15


def test_the_roadmap_rule_and_reasons_are_german_in_german(newcomer: Any, owner: Any) -> None:
    url = reverse("assessments:roadmap", kwargs={"id": newcomer.pk}).replace("/en/", "/de/")
    content = _client(owner).get(url).content.decode()
    assert "So wird der Fahrplan geplant" in content
    assert "schneller Erfolg: viel Wirkung für wenig Aufwand" in content
