"""Roadmap planning: prerequisites first, quick wins first, capacity per year, four years."""

from __future__ import annotations

from cityexchange.assessments import planning
from cityexchange.assessments.planning import Gap, PlanActivity


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
        PlanActivity("a", effort=2, impact=2, position=0),
        PlanActivity("b", effort=2, impact=2, position=1),
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


def test_selected_activities_include_the_prerequisites_of_the_gaps() -> None:
    acts = _acts(
        PlanActivity("x", effort=1, impact=1, prerequisites=("y",)),
        PlanActivity("y", effort=1, impact=1, prerequisites=("z",)),
        PlanActivity("z", effort=1, impact=1),
        PlanActivity("unrelated", effort=1, impact=1),
    )
    gap = Gap("ind", 3)
    assert planning.select([gap], {"ind": ["x"]}, acts) == {"x": gap, "y": None, "z": None}


LADDER = _acts(
    PlanActivity("dashboards", effort=2, impact=2, position=0),
    PlanActivity("platform", effort=3, impact=3, position=1),
    PlanActivity("twin", effort=3, impact=2, prerequisites=("platform",), position=2),
    PlanActivity("lab", effort=1, impact=1, position=3),
)
DATA_USE = {"data-use": ["dashboards", "platform", "twin", "lab"]}


def test_a_gap_of_one_level_takes_only_the_first_activity_of_the_indicator() -> None:
    # From level 0 to 1 in using data for decisions: dashboards, not a digital twin.
    assert set(planning.select([Gap("data-use", 1)], DATA_USE, LADDER)) == {"dashboards"}


def test_a_gap_of_two_levels_takes_the_first_two_and_three_or_more_take_all() -> None:
    two = planning.select([Gap("data-use", 2)], DATA_USE, LADDER)
    assert set(two) == {"dashboards", "platform"}
    assert set(planning.select([Gap("data-use", 3)], DATA_USE, LADDER)) == set(LADDER)
    assert set(planning.select([Gap("data-use", 4)], DATA_USE, LADDER)) == set(LADDER)


def test_activities_already_done_are_skipped_for_the_next_ones() -> None:
    chosen = planning.select([Gap("data-use", 1)], DATA_USE, LADDER, done={"dashboards"})
    assert set(chosen) == {"platform"}


def test_an_activity_closing_two_gaps_is_credited_with_the_larger() -> None:
    chosen = planning.select(
        [Gap("data-use", 1), Gap("other", 3)], {**DATA_USE, "other": ["dashboards"]}, LADDER
    )
    assert chosen == {"dashboards": Gap("other", 3)}


def test_what_an_activity_unlocks_counts_all_steps_building_on_it() -> None:
    acts = _acts(
        PlanActivity("lead", effort=1, impact=3),
        PlanActivity("strategy", effort=2, impact=3, prerequisites=("lead",)),
        PlanActivity("budget", effort=2, impact=3, prerequisites=("strategy",)),
        PlanActivity("roles", effort=3, impact=3, prerequisites=("budget",)),
        PlanActivity("lab", effort=2, impact=2, prerequisites=("strategy",)),
    )
    assert planning.unlocks(acts) == {"lead": 4, "strategy": 3, "budget": 1, "roles": 0, "lab": 0}


def test_the_priority_adds_value_per_effort_unlocked_steps_and_the_gap_with_reasons() -> None:
    acts = _acts(
        PlanActivity("strategy", effort=2, impact=3),
        *(
            PlanActivity(f"step{n}", effort=2, impact=2, prerequisites=("strategy",))
            for n in range(6)
        ),
        PlanActivity("quick", effort=1, impact=3),
    )
    ranks = planning.priorities(acts, {"strategy": Gap("smart-city-strategy", 3)})
    assert ranks["strategy"].score == 1.5 + 0.5 * 6 + 0.5 * 3
    assert ranks["strategy"].reasons() == [
        {"kind": "unlocks", "count": 6},
        {"kind": "gap", "levels": 3, "indicator": "smart-city-strategy"},
    ]
    assert ranks["quick"].score == 3.0 and ranks["quick"].reasons() == [{"kind": "quick_win"}]
    assert planning.order(acts, ranks)[0] == "strategy"


def test_a_small_town_gets_to_its_foundation_before_the_quick_wins_fill_its_years() -> None:
    # Capacity 4 and many cheap quick wins: the strategy that six steps build on
    # still lands in year 1 instead of being pushed beyond the four years.
    acts = _acts(
        PlanActivity("strategy", effort=3, impact=3, position=0),
        *(
            PlanActivity(f"step{n}", effort=2, impact=2, prerequisites=("strategy",), position=1)
            for n in range(6)
        ),
        *(PlanActivity(f"quick{n}", effort=1, impact=3, position=2 + n) for n in range(16)),
    )
    plan = dict(planning.schedule(acts, capacity=4, ranks=planning.priorities(acts)))
    assert plan["strategy"] == 1


def test_years_over_capacity_are_named() -> None:
    assert planning.over_capacity({1: 4, 2: 7, 3: 0, 4: 5}, 4) == [2, 4]


def test_the_default_capacity_grows_with_the_population() -> None:
    assert planning.default_capacity(8_000) == 4
    assert planning.default_capacity(95_000) == 6
    assert planning.default_capacity(162_000) == 9
    assert planning.default_capacity(2_000_000) == 12
    assert planning.default_capacity(None) == planning.DEFAULT_CAPACITY
    assert planning.size_class(19_999) == "small" and planning.size_class(20_000) == "medium"
