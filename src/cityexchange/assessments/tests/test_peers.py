"""Peer comparison: anonymised means, shown only from five municipalities on."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from cityexchange.assessments.selectors import peer_groups
from cityexchange.assessments.services import assessment_start, assessment_submit
from cityexchange.core.services import membership_add
from cityexchange.core.tests.factories import OrganisationFactory, UserFactory

from .conftest import answer_all

KEYS = ("smart-city-strategy", "digital-lead", "budget", "open-data", "data-platform")


def _submitted_town(level: int, *, population: int = 9000, country: str = "DE") -> Any:
    town = OrganisationFactory(population=population, country=country)
    user = UserFactory()
    membership_add(user=user, organisation=town)
    assessment = assessment_start(organisation=town, user=user)
    answer_all(assessment, user, dict.fromkeys(KEYS, level))
    return assessment_submit(assessment=assessment, user=user)


def _own(assessment: Any, owner: Any, level: int = 4) -> Any:
    answer_all(assessment, owner, dict.fromkeys(KEYS, level))
    return assessment_submit(assessment=assessment, user=owner)


def _size_group(assessment: Any) -> Any:
    return next(g for g in peer_groups(assessment) if g.key == "size")


def test_four_municipalities_are_too_few_to_compare(assessment: Any, owner: Any) -> None:
    own = _own(assessment, owner)
    for level in (0, 1, 2):
        _submitted_town(level)
    group = _size_group(own)
    assert group.count == 4 and not group.shown and group.means == {}
    page = Client()
    page.force_login(owner)
    content = page.get(reverse("assessments:results", kwargs={"id": own.pk})).content.decode()
    assert "not enough assessments yet" in content
    assert "Group mean" not in content


def test_five_municipalities_show_the_anonymous_means(assessment: Any, owner: Any) -> None:
    own = _own(assessment, owner)
    for level in (0, 1, 2, 3):
        _submitted_town(level)
    group = _size_group(own)
    assert group.count == 5 and group.shown
    assert group.means == {"strategy-governance": 2.0, "data-interoperability": 2.0}
    page = Client()
    page.force_login(owner)
    content = page.get(reverse("assessments:results", kwargs={"id": own.pk})).content.decode()
    assert "Group mean" in content


def test_a_municipality_counts_once_however_often_it_assessed(
    assessment: Any, owner: Any, municipality: Any
) -> None:
    _own(assessment, owner, level=0)
    again = assessment_start(organisation=municipality, user=owner)
    latest = _own(again, owner, level=4)
    for level in (0, 1, 2):
        _submitted_town(level)
    group = _size_group(latest)
    # Two submissions of Lindenau and three other towns: four municipalities, not five.
    assert group.count == 4 and not group.shown


def test_groups_are_by_size_class_and_by_country(assessment: Any, owner: Any) -> None:
    own = _own(assessment, owner)
    for level in (0, 1, 2, 3):
        _submitted_town(level, population=250_000)  # large towns in Germany
    for level in (0, 1, 2, 3):
        _submitted_town(level, country="BR")  # small towns in Brazil
    groups = {g.key: g for g in peer_groups(own)}
    assert groups["size"].count == 5 and groups["size"].shown
    assert groups["country"].count == 5 and groups["country"].shown
    assert groups["size_country"].count == 1 and not groups["size_country"].shown


def test_drafts_do_not_count_as_peers(assessment: Any, owner: Any) -> None:
    own = _own(assessment, owner)
    for _ in range(5):
        town = OrganisationFactory(population=9000)
        user = UserFactory()
        membership_add(user=user, organisation=town)
        assessment_start(organisation=town, user=user)
    assert _size_group(own).count == 1


def test_the_results_page_costs_the_same_queries_with_more_data(
    assessment: Any, owner: Any, django_assert_max_num_queries: Any
) -> None:
    own = _own(assessment, owner, level=2)
    client = Client()
    client.force_login(owner)
    url = reverse("assessments:results", kwargs={"id": own.pk})
    with django_assert_max_num_queries(40) as small:
        client.get(url)
    for level in (0, 1, 2, 3, 4, 1, 2):
        _submitted_town(level)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)
