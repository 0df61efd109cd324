"""Roadmap planning: prerequisites first, quick wins first, capacity per year, four years."""

from __future__ import annotations

from cityexchange.assessments import planning
from cityexchange.assessments.planning import PlanActivity


def _acts(*items: PlanActivity) -> dict[str, PlanActivity]:
    return {a.key: a for a in items}


def test_prerequisites_come_before_the_activities_that_need_them() -> None:
    acts = _acts(
        PlanActivity("platform", effort=1, impact=3, prerequisites=("strategy",)),
        PlanActivity("strategy", effort=3, impact=1),
    )
    assert planning.order(acts) == ["strategy", "platform"]


def test_quick_wins_come_first_among_ready_activities() -> None:
    acts = _acts(
        PlanActivity("big", effort=3, impact=3, position=0),
        PlanActivity("quick", effort=1, impact=3, position=1),
        PlanActivity("medium", effort=2, impact=2, position=2),
        PlanActivity("small-low", effort=1, impact=1, position=3),
    )
    # impact per effort: quick 3.0; then three at 1.0, the lower effort first.
    assert planning.order(acts) == ["quick", "small-low", "medium", "big"]


def test_years_fill_up_to_the_capacity_and_overflow_into_the_next() -> None:
    acts = _acts(*(PlanActivity(f"a{i}", effort=2, impact=2, position=i) for i in range(5)))
    plan = dict(planning.schedule(acts, capacity=4))
    assert [plan[f"a{i}"] for i in range(5)] == [1, 1, 2, 2, 3]


def test_what_does_not_fit_into_four_years_stays_unscheduled() -> None:
    acts = _acts(*(PlanActivity(f"a{i}", effort=3, impact=3, position=i) for i in range(6)))
    plan = dict(planning.schedule(acts, capacity=3))
    assert [plan[f"a{i}"] for i in range(6)] == [1, 2, 3, 4, None, None]


def test_an_activity_larger_than_the_capacity_gets_a_year_of_its_own() -> None:
    plan = dict(planning.schedule(_acts(PlanActivity("huge", effort=3, impact=3)), capacity=2))
    assert plan == {"huge": 1}


def test_an_activity_waits_a_year_after_a_high_effort_prerequisite() -> None:
    acts = _acts(
        PlanActivity("platform", effort=3, impact=3),
        PlanActivity("open-data", effort=1, impact=2, prerequisites=("platform",)),
        PlanActivity("manager", effort=1, impact=3),
        PlanActivity("strategy", effort=2, impact=3, prerequisites=("manager",)),
    )
    plan = dict(planning.schedule(acts, capacity=10))
    assert plan["platform"] == 1 and plan["open-data"] == 2
    # A low or medium effort prerequisite may finish within the same year.
    assert plan["manager"] == 1 and plan["strategy"] == 1


def test_a_dependent_never_lands_before_its_prerequisite_even_with_room_earlier() -> None:
    acts = _acts(
        PlanActivity("a", effort=2, impact=1, position=0),
        PlanActivity("b", effort=2, impact=1, position=1),
        PlanActivity("c", effort=2, impact=1, position=2),
        PlanActivity("d", effort=1, impact=3, prerequisites=("c",), position=3),
    )
    plan = dict(planning.schedule(acts, capacity=4))
    assert plan["c"] == 2 and plan["d"] == 2
    assert all(plan[k] is not None for k in acts)


def test_fixed_decisions_keep_their_year_and_use_its_capacity() -> None:
    acts = _acts(
        PlanActivity("kept", effort=3, impact=1),
        PlanActivity("new", effort=2, impact=3),
    )
    plan = dict(planning.schedule(acts, capacity=4, fixed={"kept": 1}))
    assert plan == {"kept": 1, "new": 2}


def test_needed_activities_include_the_prerequisites_of_the_gaps() -> None:
    acts = _acts(
        PlanActivity("x", effort=1, impact=1, prerequisites=("y",)),
        PlanActivity("y", effort=1, impact=1, prerequisites=("z",)),
        PlanActivity("z", effort=1, impact=1),
        PlanActivity("unrelated", effort=1, impact=1),
    )
    assert planning.needed(["ind"], {"ind": ["x"]}, acts) == {"x", "y", "z"}


def test_the_default_capacity_grows_with_the_population() -> None:
    assert planning.default_capacity(8_000) == 4
    assert planning.default_capacity(95_000) == 6
    assert planning.default_capacity(162_000) == 9
    assert planning.default_capacity(2_000_000) == 12
    assert planning.default_capacity(None) == planning.DEFAULT_CAPACITY
    assert planning.size_class(19_999) == "small" and planning.size_class(20_000) == "medium"
