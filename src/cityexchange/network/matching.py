"""Tandem matching: partner municipalities abroad for a municipality, ranked and explained.

What counts, and why:
- shared topics from both Finder profiles (a tandem needs something to work on together);
- complementary maturity from the latest submitted self-assessments: the partner is
  clearly stronger in a dimension where the municipality is weak, or the other way
  round (each can teach the other something);
- a shared working language (the exchange must be possible without interpretation);
- a similar size (population within a factor of three: comparable administrations);
- challenge interests: both cities handed in, or said they are interested in, the same
  published challenge of the challenge programme (the strongest sign: they already want
  to solve the same problem), or challenges on the same topics (similar problems).
Municipalities in the same country, and those already in a partnership with it, are
left out.

Reads a fixed number of queries whatever the number of municipalities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils.translation import get_language_info
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
SAME_CHALLENGE_POINTS = 3
MAX_SAME_CHALLENGES = 2
CHALLENGE_TOPIC_POINTS = 2
RELATED_TOPIC_POINTS = 1
MAX_CHALLENGE_TOPICS = 3
MAX_RELATED_TOPICS = 2


@dataclass
class Suggestion:
    organisation: Organisation
    score: int
    reasons: list[str] = field(default_factory=list)
    # Topics both work on (Finder profiles, challenges): a tandem started from here gets them.
    topics: list[Any] = field(default_factory=list)


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


@dataclass
class ChallengeInterests:
    """The published challenges a city handed in or is interested in, and their topics."""

    challenges: dict[int, str] = field(default_factory=dict)  # id → title
    topics: dict[int, Any] = field(default_factory=dict)  # concept id → concept
    broader: dict[int, Any] = field(default_factory=dict)  # broader concept id → concept


def _challenge_interests(organisation_ids: list[int]) -> dict[int, ChallengeInterests]:
    """Per city: published challenges it handed in or expressed interest in (four queries).

    Only published challenges count: a draft is its city's own business.
    """
    if not apps.is_installed("cityexchange.challenges"):
        return {}
    from django.db.models import Q

    from cityexchange.challenges.selectors import catalogue_queryset

    wanted = set(organisation_ids)
    challenges = (
        catalogue_queryset()
        .filter(Q(city__in=organisation_ids) | Q(interests__city__in=organisation_ids))
        .prefetch_related("interests")
        .distinct()
    )
    result: dict[int, ChallengeInterests] = {}
    for challenge in challenges:
        cities = {challenge.city_id} | {i.city_id for i in challenge.interests.all()}
        for city_id in cities & wanted:
            entry = result.setdefault(city_id, ChallengeInterests())
            entry.challenges[challenge.pk] = challenge.title
            entry.topics.update({t.pk: t for t in challenge.topics.all()})
    broader_ids = {t.broader_id for e in result.values() for t in e.topics.values()} - {None}
    if broader_ids:
        from cityexchange.core.models import Concept

        concepts = Concept.objects.in_bulk(broader_ids)
        for entry in result.values():
            entry.broader = {
                t.broader_id: concepts[t.broader_id]
                for t in entry.topics.values()
                if t.broader_id in concepts
            }
    return result


def _language_names(codes: set[str]) -> str:
    names = []
    for code in sorted(codes):
        try:
            names.append(str(get_language_info(code)["name_translated"]))
        except KeyError:
            names.append(code)
    return ", ".join(names)


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


def suggest_tandems(*, municipality: Organisation, limit: int | None = 10) -> list[Suggestion]:
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
    interests = _challenge_interests([municipality.pk, *(c.pk for c in candidates)])
    my_interests = interests.get(municipality.pk, ChallengeInterests())
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
        shared: list[Any] = []
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
                    % {"languages": _language_names(languages)}
                )
        score += _score_challenges(my_interests, interests.get(candidate.pk), reasons, shared)
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
            common = {t.pk: t for t in shared}
            if theirs_interests := interests.get(candidate.pk):
                common.update(
                    (pk, my_interests.topics[pk])
                    for pk in set(my_interests.topics) & set(theirs_interests.topics)
                )
            topics = sorted(common.values(), key=str)
            result.append(
                Suggestion(organisation=candidate, score=score, reasons=reasons, topics=topics)
            )
    result.sort(key=lambda s: (-s.score, s.organisation.name))
    return result[:limit]


def _score_challenges(
    mine: ChallengeInterests,
    theirs: ChallengeInterests | None,
    reasons: list[str],
    shared_topics: list[Any],
) -> int:
    """Points for the same challenges, then for challenges on the same topics.

    A topic already counted from both Finder profiles is not counted again.
    """
    if theirs is None:
        return 0
    score = 0
    same = sorted(mine.challenges[pk] for pk in set(mine.challenges) & set(theirs.challenges))
    if same:
        score += SAME_CHALLENGE_POINTS * min(len(same), MAX_SAME_CHALLENGES)
        reasons.append(
            _("Both want to solve the same challenge: %(challenges)s")
            % {"challenges": ", ".join(f"“{title}”" for title in same)}
        )
    counted = {t.pk for t in shared_topics}
    similar = [mine.topics[pk] for pk in set(mine.topics) & set(theirs.topics) if pk not in counted]
    if similar:
        score += CHALLENGE_TOPIC_POINTS * min(len(similar), MAX_CHALLENGE_TOPICS)
        reasons.append(
            _("Interested in challenges on the same topics: %(topics)s")
            % {"topics": ", ".join(sorted(str(t) for t in similar))}
        )
    # Similar problems: topics under the same broader concept of the thesaurus, where
    # no topic under it is shared exactly.
    exact = {mine.topics[pk].broader_id for pk in set(mine.topics) & set(theirs.topics)}
    related = [
        mine.broader[pk] for pk in set(mine.broader) & set(theirs.broader) if pk not in exact
    ]
    if related:
        score += RELATED_TOPIC_POINTS * min(len(related), MAX_RELATED_TOPICS)
        reasons.append(
            _("Interested in challenges on related topics (%(topics)s)")
            % {"topics": ", ".join(sorted(str(t) for t in related))}
        )
    return score
