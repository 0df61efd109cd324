"""The scoring rule, as plain functions over plain data (shown to the user on the results page).

* An indicator scores the level chosen (0–4). "Don't know" and unanswered
  indicators score 0 and are counted separately as "not known".
* A dimension scores the mean of its indicators; it is "uncertain" when more
  than half of its indicators are not known. Its weakest indicator is named.
* The overall score is the mean of the dimension scores.
* The default target of a dimension is its score rounded up plus one, at most 4.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

MAX_LEVEL = 4


@dataclass(frozen=True)
class IndicatorSpec:
    key: str
    name: str


@dataclass(frozen=True)
class DimensionSpec:
    key: str
    name: str
    indicators: Sequence[IndicatorSpec]


@dataclass(frozen=True)
class AnswerSpec:
    level: int | None
    dont_know: bool = False


@dataclass(frozen=True)
class IndicatorResult:
    key: str
    name: str
    level: int | None
    dont_know: bool

    @property
    def score(self) -> int:
        return self.level if self.level is not None and not self.dont_know else 0

    @property
    def known(self) -> bool:
        return self.level is not None and not self.dont_know

    @property
    def unanswered(self) -> bool:
        return self.level is None and not self.dont_know


@dataclass
class DimensionResult:
    key: str
    name: str
    indicators: list[IndicatorResult]
    target: int = 0
    weakest: list[IndicatorResult] = field(default_factory=list)

    @property
    def score(self) -> float:
        if not self.indicators:
            return 0.0
        return sum(i.score for i in self.indicators) / len(self.indicators)

    @property
    def rounded(self) -> float:
        return round(self.score, 1)

    @property
    def not_known(self) -> int:
        return sum(1 for i in self.indicators if not i.known)

    @property
    def dont_know(self) -> int:
        return sum(1 for i in self.indicators if i.dont_know)

    @property
    def unanswered(self) -> int:
        return sum(1 for i in self.indicators if i.unanswered)

    @property
    def answered(self) -> int:
        return len(self.indicators) - self.unanswered

    @property
    def uncertain(self) -> bool:
        return self.not_known * 2 > len(self.indicators)

    @property
    def gap(self) -> float:
        return max(0.0, self.target - self.score)


@dataclass
class Results:
    dimensions: list[DimensionResult]

    @property
    def overall(self) -> float:
        if not self.dimensions:
            return 0.0
        return sum(d.score for d in self.dimensions) / len(self.dimensions)

    @property
    def overall_rounded(self) -> float:
        return round(self.overall, 1)

    @property
    def not_known(self) -> int:
        return sum(d.not_known for d in self.dimensions)

    @property
    def answered(self) -> int:
        return sum(1 for d in self.dimensions for i in d.indicators if not i.unanswered)

    @property
    def total(self) -> int:
        return sum(len(d.indicators) for d in self.dimensions)

    @property
    def strongest(self) -> list[DimensionResult]:
        if not self.dimensions:
            return []
        best = max(d.rounded for d in self.dimensions)
        return [d for d in self.dimensions if d.rounded == best]

    @property
    def weakest(self) -> list[DimensionResult]:
        if not self.dimensions:
            return []
        worst = min(d.rounded for d in self.dimensions)
        return [d for d in self.dimensions if d.rounded == worst]

    def snapshot(self) -> dict[str, float]:
        """What is frozen on submission for history and peer comparison."""
        return {d.key: d.rounded for d in self.dimensions}


def default_target(score: float) -> int:
    """Current score rounded up plus one, capped at the top level."""
    return min(MAX_LEVEL, math.ceil(round(score, 6)) + 1)


def score(
    dimensions: Sequence[DimensionSpec],
    answers: Mapping[str, AnswerSpec],
    targets: Mapping[str, int] | None = None,
) -> Results:
    targets = targets or {}
    results = []
    for spec in dimensions:
        indicators = []
        for ind in spec.indicators:
            answer = answers.get(ind.key)
            indicators.append(
                IndicatorResult(
                    key=ind.key,
                    name=ind.name,
                    level=answer.level if answer and not answer.dont_know else None,
                    dont_know=bool(answer and answer.dont_know),
                )
            )
        dimension = DimensionResult(key=spec.key, name=spec.name, indicators=indicators)
        dimension.target = targets.get(spec.key, default_target(dimension.score))
        if indicators:
            lowest = min(i.score for i in indicators)
            dimension.weakest = [i for i in indicators if i.score == lowest]
        results.append(dimension)
    return Results(dimensions=results)
