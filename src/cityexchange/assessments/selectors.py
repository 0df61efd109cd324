"""Reads of the assessments app: the model, a municipality's assessments, results, peers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache as shared_cache
from django.db.models import F, Prefetch, QuerySet
from django.urls import NoReverseMatch

from cityexchange.assessments import planning, scoring
from cityexchange.assessments.models import (
    Activity,
    Answer,
    Assessment,
    AssessmentStatus,
    Dimension,
    Indicator,
    Level,
    MaturityModel,
    RoadmapItem,
    RoadmapStatus,
)
from cityexchange.core.i18n import current_language
from cityexchange.core.models import Membership, Organisation, OrganisationKind, User

# k-anonymity: peers are only shown for groups at least this large.
PEER_MINIMUM = 5
LINK_CACHE_SECONDS = 300


def model_current() -> MaturityModel | None:
    """The most recently loaded model version: what new assessments use."""
    return MaturityModel.objects.order_by("-loaded_at", "-id").first()


def model_dimensions(model: MaturityModel) -> list[Dimension]:
    """Dimensions with indicators, level statements and activities: a fixed number of queries."""
    return list(
        Dimension.objects.filter(maturity_model=model)
        .order_by("position")
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.order_by("position").prefetch_related(
                    Prefetch("levels", queryset=Level.objects.order_by("value")),
                    Prefetch("activities", queryset=Activity.objects.order_by("position")),
                ),
            )
        )
    )


def level_names(model: MaturityModel) -> list[str]:
    return [level.name for level in model.scale_levels.order_by("value")]


def municipalities_of(user: Any) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=user, kind=OrganisationKind.MUNICIPALITY
    ).order_by("name")


def assessments_for_user(user: Any) -> QuerySet[Assessment]:
    """The assessments of the user's municipalities, newest first."""
    return (
        Assessment.objects.filter(organisation__in=municipalities_of(user))
        .select_related("organisation", "maturity_model")
        .order_by("-created_at", "-id")
    )


def assessment_queryset() -> QuerySet[Assessment]:
    return Assessment.objects.select_related("organisation", "maturity_model")


def answers_by_indicator(assessment: Assessment) -> dict[int, Answer]:
    return {a.indicator_id: a for a in assessment.answers.all()}


def targets_by_dimension(assessment: Assessment) -> dict[int, int]:
    return dict(assessment.targets.values_list("dimension_id", "level"))


def results_for(
    assessment: Assessment, dimensions: Sequence[Dimension] | None = None
) -> scoring.Results:
    """Scores of an assessment (live for drafts, the same rule for submitted ones)."""
    dimensions = (
        dimensions if dimensions is not None else model_dimensions(assessment.maturity_model)
    )
    answers = answers_by_indicator(assessment)
    targets = targets_by_dimension(assessment)
    specs = []
    answer_specs: dict[str, scoring.AnswerSpec] = {}
    target_specs: dict[str, int] = {}
    for dimension in dimensions:
        indicators = list(dimension.indicators.all())
        specs.append(
            scoring.DimensionSpec(
                key=dimension.key,
                name=dimension.name,
                indicators=[scoring.IndicatorSpec(key=i.key, name=i.name) for i in indicators],
            )
        )
        if dimension.pk in targets:
            target_specs[dimension.key] = targets[dimension.pk]
        for indicator in indicators:
            answer = answers.get(indicator.pk)
            if answer is not None:
                answer_specs[indicator.key] = scoring.AnswerSpec(answer.level, answer.dont_know)
    return scoring.score(specs, answer_specs, target_specs)


def history_for(assessment: Assessment) -> list[Assessment]:
    """The municipality's submitted assessments, oldest first (one query)."""
    return list(
        Assessment.objects.filter(
            organisation_id=assessment.organisation_id, status=AssessmentStatus.SUBMITTED
        )
        .select_related("maturity_model")
        .order_by("submitted_at", "id")
    )


@dataclass
class PeerGroup:
    key: str  # "size", "country", "size_country"
    size_class: str | None
    country: str
    count: int
    means: dict[str, float]  # dimension key -> mean score

    @property
    def shown(self) -> bool:
        return self.count >= PEER_MINIMUM


def peer_groups(assessment: Assessment) -> list[PeerGroup]:
    """Anonymised means of the latest submitted assessment of every municipality in a group.

    Each municipality counts once (its latest submission); a group is only
    shown when at least ``PEER_MINIMUM`` municipalities are in it, so no single
    town's scores can be read off the means.
    """
    organisation = assessment.organisation
    own_class = planning.size_class(organisation.population)
    country = str(organisation.country or "")
    rows = (
        Assessment.objects.filter(
            status=AssessmentStatus.SUBMITTED, organisation__kind=OrganisationKind.MUNICIPALITY
        )
        .order_by("organisation_id", "-submitted_at", "-id")
        .values_list(
            "organisation_id",
            "organisation__population",
            "organisation__country",
            "dimension_scores",
        )
    )
    latest: dict[int, tuple[str | None, str, dict[str, float]]] = {}
    for org_id, population, org_country, scores in rows:
        if org_id not in latest:
            latest[org_id] = (planning.size_class(population), org_country or "", scores or {})
    groups = []
    definitions = [
        ("size", own_class is not None, lambda c, k: c == own_class),
        ("country", bool(country), lambda c, k: k == country),
        (
            "size_country",
            own_class is not None and bool(country),
            lambda c, k: c == own_class and k == country,
        ),
    ]
    keys = list(assessment.dimension_scores or {}) or [
        d.key for d in assessment.maturity_model.dimensions.order_by("position")
    ]
    for name, applicable, match in definitions:
        if not applicable:
            continue
        members = [scores for cls, ctry, scores in latest.values() if match(cls, ctry)]
        means = {}
        for key in keys:
            values = [s[key] for s in members if key in s]
            if len(values) >= PEER_MINIMUM:
                means[key] = round(sum(values) / len(values), 1)
        groups.append(
            PeerGroup(
                key=name, size_class=own_class, country=country, count=len(members), means=means
            )
        )
    return groups


def roadmap_items(assessment: Assessment) -> list[RoadmapItem]:
    return list(
        RoadmapItem.objects.filter(assessment=assessment)
        .select_related("activity", "assignee")
        .prefetch_related(
            Prefetch("activity__prerequisites", queryset=Activity.objects.order_by("position")),
            Prefetch(
                "activity__indicators",
                queryset=Indicator.objects.filter(maturity_model=assessment.maturity_model_id),
            ),
        )
        # Unscheduled ("later") last on every database: NULL sorts differently otherwise.
        .order_by(F("year").asc(nulls_last=True), "position")
    )


def roadmap_progress(items: Sequence[RoadmapItem]) -> tuple[int, int]:
    """(done, planned): dropped activities do not count."""
    planned = [i for i in items if i.status != RoadmapStatus.DROPPED]
    return sum(1 for i in planned if i.status == RoadmapStatus.DONE), len(planned)


def team_members(assessment: Assessment) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(organisation_id=assessment.organisation_id)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    ]


def capacity_for(assessment: Assessment) -> int:
    return assessment.capacity or planning.default_capacity(assessment.organisation.population)


def _link(obj: Any) -> dict[str, str]:
    try:
        url = obj.get_absolute_url()
    except (AttributeError, NoReverseMatch):
        url = ""  # the other app's pages are not mounted (yet): show the name only
    return {"title": str(obj), "url": url}


def _cached_links(key: str, local: dict[str, Any] | None, fetch: Any) -> list[dict[str, str]]:
    # Offers and resources change rarely; a roadmap lists dozens of activities, so
    # their links are kept for a few minutes per language instead of re-queried.
    full_key = f"assessments:links:{current_language()}:{key}"
    if local is not None and full_key in local:
        return list(local[full_key])
    links = shared_cache.get(full_key)
    if links is None:
        links = [_link(obj) for obj in fetch()]
        shared_cache.set(full_key, links, LINK_CACHE_SECONDS)
    if local is not None:
        local[full_key] = links
    return list(links)


def links_for_activity(
    activity: Activity, cache: dict[str, Any] | None = None
) -> dict[str, list[dict[str, str]]]:
    """Fitting directory offers and library resources, when those apps exist.

    One look-up per distinct topic set (and offer kinds), however many
    activities share it; ``cache`` holds them for one page.
    """
    topics = list(activity.topics)
    kinds = list(activity.offer_kinds)
    links: dict[str, list[dict[str, str]]] = {"offers": [], "resources": []}
    try:
        from cityexchange.directory.selectors import offers_for_topics
    except ImportError:
        pass
    else:
        links["offers"] = _cached_links(
            f"offers:{','.join(topics)}:{','.join(kinds)}",
            cache,
            lambda: offers_for_topics(topics=topics, kinds=kinds or None, limit=3),
        )
    try:
        from cityexchange.library.selectors import resources_for_topics
    except ImportError:
        pass
    else:
        links["resources"] = _cached_links(
            f"resources:{','.join(topics)}",
            cache,
            lambda: resources_for_topics(topics=topics, limit=3),
        )
    return links
