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


def _subtraction_attack(peers: list[dict[str, Any]]) -> list[float]:
    """What an attacker recovers from two shown, nested groups whose sizes differ by
    fewer than five: (n1 x mean1 - n2 x mean2) / (n1 - n2), per dimension."""
    shown = [p for p in peers if p["shown"]]
    recovered = []
    for first in shown:
        for second in shown:
            difference = first["municipalities"] - second["municipalities"]
            if not 0 < difference < 5:
                continue
            for key, mean in first["means"].items():
                if key in second["means"]:
                    total = first["municipalities"] * mean
                    total -= second["municipalities"] * second["means"][key]
                    recovered.append(round(total / difference, 1))
    return recovered


def test_overlapping_groups_cannot_be_subtracted_to_reveal_one_town(
    assessment: Any, owner: Any
) -> None:
    # Lindenau and five more small German towns (same size and country: 6), and one
    # small Brazilian town (same size: 7). Shown together, 7 x mean - 6 x mean is the
    # Brazilian town's score.
    own = _own(assessment, owner, level=1)
    for level in (1, 1, 2, 1, 1):
        _submitted_town(level, country="DE")
    lonely = _submitted_town(4, country="BR")
    client = Client()
    client.force_login(owner)
    response = client.get(f"/api/v1/assessments/{own.pk}/results")
    assert response.status_code == 200
    peers = response.json()["peers"]
    lonely_scores = set(lonely.dimension_scores.values())
    assert not lonely_scores & set(_subtraction_attack(peers)), peers
    assert _subtraction_attack(peers) == []
    by_key = {p["group"]: p for p in peers}
    # The largest group stays; the two nested in it that differ by one town are withheld.
    assert by_key["size"]["shown"] and by_key["size"]["means"]
    for key in ("country", "size_country"):
        assert not by_key[key]["shown"] and by_key[key]["withheld"] == "overlap"
        assert by_key[key]["means"] == {}
    page = client.get(reverse("assessments:results", kwargs={"id": own.pk})).content.decode()
    assert "subtracting one from the other" in page


def test_groups_that_differ_by_five_or_more_are_all_shown(assessment: Any, owner: Any) -> None:
    own = _own(assessment, owner, level=1)
    for level in (1, 2, 1, 2, 1):
        _submitted_town(level, country="DE")
    for level in (3, 2, 3, 2, 3):
        _submitted_town(level, country="BR")
    groups = {g.key: g for g in peer_groups(own)}
    # Same size: 11, same country: 6, both: 6 (the same towns as "same country").
    assert (groups["size"].count, groups["size_country"].count) == (11, 6)
    assert all(g.shown for g in groups.values()), groups
