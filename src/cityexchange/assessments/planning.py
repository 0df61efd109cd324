"""Roadmap planning as plain functions: which activities, in which order, in which year.

1. Selection. Activities are linked to indicators, and each indicator lists
   them from basic to advanced. For an indicator whose level is below its
   dimension's target by a gap of ``g`` levels, the plan takes the first ``g``
   of its activities the municipality has not done yet (a gap of 1 takes the
   first one, a gap of 2 the first two); a gap of 3 levels or more takes all
   of them. Their prerequisites come along, because they have to happen first.
   So a town moving from level 0 to 1 in using data for decisions starts with
   dashboards, not with a digital twin.
2. Priority. Every selected activity gets an explained score:

       priority = impact / effort                 (quick win: 2 or more)
                + 0.5 × activities it unlocks     (selected activities that
                                                   build on it, directly or
                                                   through others)
                + 0.5 × largest gap it closes     (in levels, of an indicator
                                                   that selected it)

   so foundations such as a smart-city strategy, which many later steps
   build on, are not crowded out by a row of small quick wins.
3. Order: prerequisites before the activities that need them (topological);
   among the activities whose prerequisites are placed, the highest priority
   first (then lower effort, then the model's order).
4. Years: each activity goes to the earliest year 1–4 that still has room in
   the stated capacity (effort points per year) and is not before its
   prerequisites' year; after a high-effort prerequisite it waits one more
   year. An activity larger than the whole capacity gets a year to itself.
   What does not fit into four years stays unscheduled ("later").
   Decisions the team has taken (accepted, moved, done) keep their year even
   when that year is then over capacity; the roadmap page warns about it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

YEARS = 4
HIGH_EFFORT = 3

# Population size classes: (upper bound, exclusive), key, default capacity per year.
SIZE_CLASSES: list[tuple[int | None, str, int]] = [
    (20_000, "small", 4),
    (100_000, "medium", 6),
    (500_000, "large", 9),
    (None, "metropolitan", 12),
]
DEFAULT_CAPACITY = 6


# Weights of the priority score (see the module docstring).
UNLOCK_WEIGHT = 0.5
GAP_WEIGHT = 0.5
QUICK_WIN = 2.0  # impact per effort from which an activity counts as a quick win
FULL_GAP = 3  # a gap of this many levels takes all of an indicator's activities


@dataclass(frozen=True)
class PlanActivity:
    key: str
    effort: int
    impact: int
    prerequisites: tuple[str, ...] = ()
    position: int = 0

    @property
    def value_per_effort(self) -> float:
        return self.impact / self.effort


@dataclass(frozen=True)
class Gap:
    """An indicator below its dimension's target by ``levels`` (1–4)."""

    indicator: str
    levels: int


@dataclass(frozen=True)
class Priority:
    """The explained score of one activity: its parts and their sum."""

    value_per_effort: float
    unlocks: int
    gap: Gap | None

    @property
    def quick_win(self) -> bool:
        return self.value_per_effort >= QUICK_WIN

    @property
    def score(self) -> float:
        gap = self.gap.levels if self.gap else 0
        return round(self.value_per_effort + UNLOCK_WEIGHT * self.unlocks + GAP_WEIGHT * gap, 2)

    def reasons(self) -> list[dict[str, str | int]]:
        """Why the activity is where it is, as data the page turns into sentences."""
        result: list[dict[str, str | int]] = []
        if self.quick_win:
            result.append({"kind": "quick_win"})
        if self.unlocks:
            result.append({"kind": "unlocks", "count": self.unlocks})
        if self.gap is not None:
            result.append(
                {"kind": "gap", "levels": self.gap.levels, "indicator": self.gap.indicator}
            )
        return result


def size_class(population: int | None) -> str | None:
    if not population:
        return None
    for bound, key, _capacity in SIZE_CLASSES:
        if bound is None or population < bound:
            return key
    return None  # pragma: no cover - the last class has no bound


def default_capacity(population: int | None) -> int:
    if not population:
        return DEFAULT_CAPACITY
    for bound, _key, capacity in SIZE_CLASSES:
        if bound is None or population < bound:
            return capacity
    return DEFAULT_CAPACITY  # pragma: no cover


def activities_for_gap(
    levels: int, ordered: Sequence[str], done: Collection[str] = ()
) -> list[str]:
    """The first ``levels`` not-yet-done activities of an indicator; all from ``FULL_GAP`` on."""
    open_ = [key for key in ordered if key not in done]
    return open_ if levels >= FULL_GAP else open_[: max(levels, 0)]


def select(
    gaps: Iterable[Gap],
    activities_by_indicator: Mapping[str, Sequence[str]],
    activities: Mapping[str, PlanActivity],
    done: Collection[str] = (),
) -> dict[str, Gap | None]:
    """The activities the gaps need, with their prerequisites (rule 1 of the docstring).

    Maps each selected activity to the largest gap it helps to close; an
    activity that is only there as a prerequisite maps to ``None``.
    """
    closes: dict[str, Gap | None] = {}
    for gap in gaps:
        for key in activities_for_gap(
            gap.levels, activities_by_indicator.get(gap.indicator, ()), done
        ):
            current = closes.get(key)
            if current is None or gap.levels > current.levels:
                closes[key] = gap
    stack = [p for key in closes for p in activities[key].prerequisites]
    while stack:
        key = stack.pop()
        if key in closes or key in done:
            continue
        closes[key] = None
        stack.extend(activities[key].prerequisites)
    return closes


def unlocks(activities: Mapping[str, PlanActivity]) -> dict[str, int]:
    """How many of ``activities`` build on each one, directly or through others."""
    dependents: dict[str, set[str]] = {key: set() for key in activities}
    for key, activity in activities.items():
        for prerequisite in activity.prerequisites:
            if prerequisite in dependents:
                dependents[prerequisite].add(key)
    result = {}
    for key in activities:
        seen: set[str] = set()
        stack = list(dependents[key])
        while stack:
            other = stack.pop()
            if other not in seen:
                seen.add(other)
                stack.extend(dependents[other])
        result[key] = len(seen)
    return result


def priorities(
    activities: Mapping[str, PlanActivity], closes: Mapping[str, Gap | None] | None = None
) -> dict[str, Priority]:
    """The explained priority of every activity of the plan (rule 2 of the docstring)."""
    closes = closes or {}
    unlocked = unlocks(activities)
    return {
        key: Priority(
            value_per_effort=round(a.value_per_effort, 2),
            unlocks=unlocked[key],
            gap=closes.get(key),
        )
        for key, a in activities.items()
    }


def order(
    activities: Mapping[str, PlanActivity], ranks: Mapping[str, Priority] | None = None
) -> list[str]:
    """Topological order (prerequisites first), the highest priority first among the ready ones."""
    ranks = ranks if ranks is not None else priorities(activities)
    remaining = {
        key: {p for p in a.prerequisites if p in activities} for key, a in activities.items()
    }
    result: list[str] = []
    while remaining:
        ready = [key for key, prereqs in remaining.items() if not prereqs]
        if not ready:
            raise ValueError(f"prerequisites form a cycle among {sorted(remaining)}")
        best = min(
            ready,
            key=lambda key: (
                -ranks[key].score,
                activities[key].effort,
                activities[key].position,
                key,
            ),
        )
        result.append(best)
        del remaining[best]
        for prereqs in remaining.values():
            prereqs.discard(best)
    return result


def earliest_year(
    activity: PlanActivity, years: Mapping[str, int | None], efforts: Mapping[str, int]
) -> int | None:
    """The first year an activity may start given where its prerequisites are (None: never)."""
    earliest = 1
    for prerequisite in activity.prerequisites:
        if prerequisite not in years:
            continue
        year = years[prerequisite]
        if year is None:
            return None
        earliest = max(earliest, year + (1 if efforts[prerequisite] >= HIGH_EFFORT else 0))
    return earliest


def schedule(
    activities: Mapping[str, PlanActivity],
    capacity: int,
    fixed: Mapping[str, int | None] | None = None,
    ranks: Mapping[str, Priority] | None = None,
) -> list[tuple[str, int | None]]:
    """``(activity key, year or None)`` in roadmap order.

    ``fixed`` holds activities whose year the municipality has decided; they
    keep it and use up capacity there, and the rest is planned around them.
    """
    fixed = fixed or {}
    used = dict.fromkeys(range(1, YEARS + 1), 0)
    years: dict[str, int | None] = {}
    efforts = {key: a.effort for key, a in activities.items()}
    for key, year in fixed.items():
        years[key] = year
        if year is not None:
            used[year] += efforts[key]
    plan: list[tuple[str, int | None]] = []
    for key in order(activities, ranks):
        activity = activities[key]
        if key in fixed:
            plan.append((key, fixed[key]))
            continue
        start = earliest_year(activity, years, efforts)
        chosen: int | None = None
        if start is not None:
            for year in range(start, YEARS + 1):
                if used[year] + activity.effort <= capacity or used[year] == 0:
                    chosen = year
                    used[year] += activity.effort
                    break
        years[key] = chosen
        plan.append((key, chosen))
    return plan


def over_capacity(efforts_by_year: Mapping[int, int], capacity: int) -> list[int]:
    """The years whose planned effort exceeds the capacity (kept decisions may cause it)."""
    return [year for year, effort in sorted(efforts_by_year.items()) if effort > capacity]


def indicative_years(efforts: Sequence[int], capacity: int, start: int = YEARS + 1) -> list[int]:
    """Years for the unscheduled activities, in their order, if the capacity stayed the same.

    Only for reading the plan as a whole (a council sees year 5, 6… instead of one
    long "later" list); nothing is stored and the team's decisions are untouched.
    """
    year, used, years = start, 0, []
    for effort in efforts:
        if used and used + effort > max(capacity, 1):
            year, used = year + 1, 0
        years.append(year)
        used += effort
    return years
