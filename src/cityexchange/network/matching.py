"""Tandem matching: partner municipalities abroad for a municipality, ranked and explained.

What counts, and why:
- shared topics from both Finder profiles (a tandem needs something to work on together);
- complementary maturity from the latest submitted self-assessments: the partner is
  clearly stronger in a dimension where the municipality is weak, or the other way
  round (each can teach the other something);
- a shared working language (the exchange must be possible without interpretation);
- a similar size (population within a factor of three: comparable administrations).
Municipalities in the same country, and those already in a partnership with it, are
left out. The challenge programme's interests are not used yet: that app holds no data.

Reads a fixed number of queries whatever the number of municipalities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from cityexchange.core.models import Organisation, OrganisationKind
from cityexchange.network.models import Partnership

TOPIC_POINTS = 3
MAX_TOPICS = 4
COMPLEMENT_POINTS = 2
COMPLEMENT_GAP = 1.0  # levels (of 0–4) between the stronger and the weaker side
LANGUAGE_POINTS = 2
SIZE_POINTS = 1
SIZE_FACTOR = 3


@dataclass
class Suggestion:
    organisation: Organisation
    score: int
    reasons: list[str] = field(default_factory=list)


def _profiles(organisations: list[Organisation]) -> dict[int, Any]:
    from cityexchange.directory.models import MunicipalityProfile

    return {
        p.organisation_id: p
        for p in MunicipalityProfile.objects.filter(
            organisation__in=[o.pk for o in organisations]
        ).prefetch_related("topics")
    }


def _latest_scores(organisation_ids: list[int]) -> dict[int, dict[str, float]]:
    from cityexchange.assessments.models import Assessment, AssessmentStatus

    latest: dict[int, dict[str, float]] = {}
    rows = (
        Assessment.objects.filter(
            organisation__in=organisation_ids, status=AssessmentStatus.SUBMITTED
        )
        .order_by("organisation_id", "submitted_at", "id")
        .values_list("organisation_id", "dimension_scores")
    )
    for organisation_id, scores in rows:
        latest[organisation_id] = {k: v for k, v in (scores or {}).items() if v is not None}
    return latest


def _dimension_names() -> dict[str, str]:
    from cityexchange.assessments.models import Dimension

    return dict(Dimension.objects.order_by("maturity_model_id").values_list("key", "name"))


def tied_to(organisation: Organisation) -> set[int]:
    """Organisations already in a partnership with ``organisation``."""
    # Through the link table: a filter and a values() on the same many-to-many relation
    # would share one join and return only the organisation itself.
    links = Partnership.organisations.through.objects
    theirs = links.filter(organisation=organisation).values("partnership")
    ids = links.filter(partnership__in=theirs).values_list("organisation_id", flat=True)
    return set(ids) - {organisation.pk}


def suggest_tandems(*, municipality: Organisation, limit: int = 10) -> list[Suggestion]:
    candidates = list(
        Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
        .exclude(pk=municipality.pk)
        .exclude(pk__in=tied_to(municipality))
        .exclude(country="")
        .exclude(country=municipality.country)
    )
    profiles = _profiles([municipality, *candidates])
    scores = _latest_scores([municipality.pk, *(c.pk for c in candidates)])
    names = _dimension_names()
    mine = profiles.get(municipality.pk)
    my_topics = {t.pk: t for t in mine.topics.all()} if mine else {}
    my_languages = set(mine.languages or []) if mine else set()
    my_scores = scores.get(municipality.pk, {})
    my_population = municipality.population or (mine.population if mine else None)
    result = []
    for candidate in candidates:
        profile = profiles.get(candidate.pk)
        score = 0
        reasons: list[str] = []
        if profile is not None:
            shared = [my_topics[t.pk] for t in profile.topics.all() if t.pk in my_topics]
            if shared:
                score += TOPIC_POINTS * min(len(shared), MAX_TOPICS)
                reasons.append(
                    _("Shared topics: %(topics)s")
                    % {"topics": ", ".join(sorted(str(t) for t in shared))}
                )
            languages = my_languages & set(profile.languages or [])
            if languages:
                score += LANGUAGE_POINTS
                reasons.append(
                    _("Common working language: %(languages)s")
                    % {"languages": ", ".join(sorted(languages))}
                )
        theirs = scores.get(candidate.pk, {})
        for key in sorted(set(my_scores) & set(theirs)):
            gap = theirs[key] - my_scores[key]
            if gap >= COMPLEMENT_GAP:
                score += COMPLEMENT_POINTS
                reasons.append(
                    _("Strong in “%(dimension)s” where %(town)s is weaker")
                    % {"dimension": names.get(key, key), "town": municipality.name}
                )
            elif -gap >= COMPLEMENT_GAP:
                score += COMPLEMENT_POINTS
                reasons.append(
                    _("%(town)s is strong in “%(dimension)s” where this partner is weaker")
                    % {"dimension": names.get(key, key), "town": municipality.name}
                )
        population = candidate.population or (profile.population if profile else None)
        if my_population and population:
            ratio = max(my_population, population) / min(my_population, population)
            if ratio <= SIZE_FACTOR:
                score += SIZE_POINTS
                reasons.append(_("Similar size"))
        if score > 0:
            result.append(Suggestion(organisation=candidate, score=score, reasons=reasons))
    result.sort(key=lambda s: (-s.score, s.organisation.name))
    return result[:limit]
