"""Roadmap planning as plain functions: which activities, in which order, in which year.

1. Every indicator below its dimension's target contributes the activities
   that raise it; their prerequisites come along (they have to happen first).
2. Order: prerequisites before the activities that need them (topological);
   among the activities whose prerequisites are placed, quick wins first
   (highest impact per effort, then lower effort, then the model's order).
3. Years: each activity goes to the earliest year 1–4 that still has room in
   the stated capacity (effort points per year) and is not before its
   prerequisites' year; after a high-effort prerequisite it waits one more
   year. An activity larger than the whole capacity gets a year to itself.
   What does not fit into four years stays unscheduled ("later").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


@dataclass(frozen=True)
class PlanActivity:
    key: str
    effort: int
    impact: int
    prerequisites: tuple[str, ...] = ()
    position: int = 0

    @property
    def quick_win_rank(self) -> tuple[float, int, int, int]:
        return (-self.impact / self.effort, self.effort, -self.impact, self.position)


def size_class(population: int | None) -> str | None:
    if not population:
        return None
    for bound, key, _capacity in SIZE_CLASSES:
        if bound is None or population < bound:
            return key
    return None  # pragma: no cover - the last class has no bound


def size_class_bounds(key: str) -> tuple[int, int | None]:
    lower = 0
    for bound, name, _capacity in SIZE_CLASSES:
        if name == key:
            return lower, bound
        lower = bound or lower
    raise ValueError(key)


def default_capacity(population: int | None) -> int:
    if not population:
        return DEFAULT_CAPACITY
    for bound, _key, capacity in SIZE_CLASSES:
        if bound is None or population < bound:
            return capacity
    return DEFAULT_CAPACITY  # pragma: no cover


def needed(
    gaps: Iterable[str],
    activities_by_indicator: Mapping[str, Iterable[str]],
    activities: Mapping[str, PlanActivity],
) -> set[str]:
    """Activities raising the indicators in ``gaps``, with all their prerequisites."""
    wanted: set[str] = set()
    stack = [key for indicator in gaps for key in activities_by_indicator.get(indicator, ())]
    while stack:
        key = stack.pop()
        if key in wanted:
            continue
        wanted.add(key)
        stack.extend(activities[key].prerequisites)
    return wanted


def order(activities: Mapping[str, PlanActivity]) -> list[str]:
    """Topological order (prerequisites first), quick wins first among the ready ones."""
    remaining = {
        key: {p for p in a.prerequisites if p in activities} for key, a in activities.items()
    }
    result: list[str] = []
    while remaining:
        ready = [key for key, prereqs in remaining.items() if not prereqs]
        if not ready:
            raise ValueError(f"prerequisites form a cycle among {sorted(remaining)}")
        best = min(ready, key=lambda key: activities[key].quick_win_rank)
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
    for key in order(activities):
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
