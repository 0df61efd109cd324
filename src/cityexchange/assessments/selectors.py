"""Reads of the assessments app: the model, a municipality's assessments, results, peers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
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
from cityexchange.core.models import (
    Concept,
    Membership,
    Organisation,
    OrganisationKind,
    User,
)

# k-anonymity: peers are only shown for groups at least this large.
PEER_MINIMUM = 5
LINKS_PER_ACTIVITY = 3


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


def indicator_activity_keys(indicator: Indicator) -> list[str]:
    """An indicator's activities from basic to advanced, as the model file lists them.

    Uses the prefetched ``activities``; rows loaded before the order was
    stored fall back to the model's order of activities.
    """
    linked = [a.key for a in sorted(indicator.activities.all(), key=lambda a: a.position)]
    ordered = [key for key in indicator.activity_order if key in linked]
    return ordered + [key for key in linked if key not in ordered]


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


def assessments_for_staff(*, country: str = "", status: str = "") -> QuerySet[Assessment]:
    """Every municipality's assessments for the staff overview, newest first (one query)."""
    queryset = Assessment.objects.select_related("organisation", "maturity_model")
    if country:
        queryset = queryset.filter(organisation__country=country)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def assessment_countries() -> list[str]:
    """Country codes of the municipalities that have assessments (for the filter)."""
    return sorted(
        code
        for code in Assessment.objects.values_list("organisation__country", flat=True).distinct()
        if code
    )


def assessment_queryset() -> QuerySet[Assessment]:
    return Assessment.objects.select_related("organisation", "maturity_model")


def answers_by_indicator(assessment: Assessment) -> dict[int, Answer]:
    return {a.indicator_id: a for a in assessment.answers.select_related("updated_by")}


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
    # Why the means are withheld: "too_few" (under PEER_MINIMUM) or "overlap"
    # (another shown group differs from it by fewer than PEER_MINIMUM towns).
    withheld: str = ""

    @property
    def shown(self) -> bool:
        return not self.withheld and self.count >= PEER_MINIMUM


def _differencing_safe(members: frozenset[int], shown: list[frozenset[int]]) -> bool:
    """Whether a group's means may be shown next to the groups already shown.

    When one group holds the other, their counts and means give the sum of the
    scores of the towns in the larger one only (7 x 1.9 - 6 x 1.6 is one town's
    score): that difference must be empty or hold at least ``PEER_MINIMUM``
    towns. Groups that only partly overlap give a difference of two sums, which
    singles nobody out.
    """
    for other in shown:
        if members <= other or other <= members:
            if 0 < abs(len(members) - len(other)) < PEER_MINIMUM:
                return False
    return True


def peer_groups(assessment: Assessment) -> list[PeerGroup]:
    """Anonymised means of the latest submitted assessment of every municipality in a group.

    Each municipality counts once (its latest submission); a group is only
    shown when at least ``PEER_MINIMUM`` municipalities are in it, so no single
    town's scores can be read off the means.

    Groups overlap (the same size and country is inside both the same size and
    the same country), so subtracting one group's sum from another's could
    single a town out: a group is withheld when it differs from a group already
    shown by fewer than ``PEER_MINIMUM`` towns (``_differencing_safe``); larger
    groups are considered first. Within a group a dimension's mean is shown only
    when every town in it has a score for that dimension, for the same reason.

    Only assessments of the same model version are compared: a dimension key
    kept in a new version may hold other indicators or level statements, so
    its scores would not mean the same. Each town counts with its latest
    submission of this version.
    """
    organisation = assessment.organisation
    own_class = planning.size_class(organisation.population)
    country = str(organisation.country or "")
    rows = (
        Assessment.objects.filter(
            status=AssessmentStatus.SUBMITTED,
            organisation__kind=OrganisationKind.MUNICIPALITY,
            maturity_model_id=assessment.maturity_model_id,
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
    # ``latest`` keeps the database's order, which is by organisation id.
    for org_id, population, org_country, scores in rows:
        if org_id not in latest:
            latest[org_id] = (planning.size_class(population), org_country or "", scores or {})
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
    candidates: list[tuple[str, frozenset[int]]] = []
    for name, applicable, match in definitions:
        if not applicable:
            continue
        ids = frozenset(
            org_id for org_id, (cls, ctry, _scores) in latest.items() if match(cls, ctry)
        )
        candidates.append((name, ids))
    shown: list[frozenset[int]] = []
    decided: dict[str, PeerGroup] = {}
    for name, ids in sorted(candidates, key=lambda item: -len(item[1])):
        group = PeerGroup(key=name, size_class=own_class, country=country, count=len(ids), means={})
        if len(ids) < PEER_MINIMUM:
            group.withheld = "too_few"
        elif not _differencing_safe(ids, shown):
            group.withheld = "overlap"
        else:
            shown.append(ids)
            members = [latest[org_id][2] for org_id in ids]
            for key in keys:
                values = [scores[key] for scores in members if key in scores]
                if len(values) == len(members):
                    group.means[key] = round(sum(values) / len(values), 1)
        decided[name] = group
    return [decided[name] for name, _ids in candidates]


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


def roadmap_effort_by_year(items: Sequence[RoadmapItem]) -> dict[int, int]:
    """Effort points planned per year 1–4; dropped activities take none."""
    efforts = dict.fromkeys(range(1, planning.YEARS + 1), 0)
    for item in items:
        if item.year is not None and item.status != RoadmapStatus.DROPPED:
            efforts[item.year] += item.activity.effort
    return efforts


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


def _best(
    candidates: Sequence[tuple[Any, set[str]]],
    topics: set[str],
    tie_break: Any,
    limit: int,
) -> list[dict[str, str]]:
    """Those sharing the most of ``topics``, then by ``tie_break``; at most ``limit``."""
    scored = [(len(keys & topics), obj) for obj, keys in candidates if keys & topics]
    scored.sort(key=lambda pair: (-pair[0], tie_break(pair[1])))
    return [_link(obj) for _shared, obj in scored[:limit]]


def links_for_activities(
    activities: Sequence[Activity],
    *,
    user: Any = None,
    limit: int = LINKS_PER_ACTIVITY,
    country: str = "",
) -> dict[int, dict[str, list[dict[str, str]]]]:
    """Fitting directory offers and library resources per activity, when those apps exist.

    Offers are only those a municipality in ``country`` may take up (the
    directory's eligibility: no EU-only offer outside the EU, no other
    country's national programme, nothing by invitation only); without a
    country, restricted offers are left out as well.

    One query for the offers and one for the resources on any of the
    activities' topics (each with one more for their topics), whatever the
    number of activities; the ranking of ``offers_for_topics`` and
    ``resources_for_topics`` (most shared topics first) is then applied per
    activity in memory.
    """
    links: dict[int, dict[str, list[dict[str, str]]]] = {
        a.pk: {"offers": [], "resources": []} for a in activities
    }
    wanted = sorted({topic for a in activities for topic in a.topics})
    if not wanted:
        return links
    topic_keys = Prefetch("topics", queryset=Concept.objects.only("pk", "key"))
    # For the eligibility of members-only offers: their organisers' member countries.
    organisers = Prefetch(
        "organisers", queryset=Organisation.objects.only("pk", "member_countries")
    )
    try:
        from cityexchange.directory.finder import offer_open_to
        from cityexchange.directory.selectors import offer_list
    except ImportError:
        pass
    else:
        offers = [
            (offer, {t.key for t in offer.topics.all()})
            for offer in offer_list()
            .filter(topics__key__in=wanted)
            .distinct()
            # Only the topic keys are needed here, not the organisers offer_list fetches.
            .prefetch_related(None)
            .prefetch_related(topic_keys, organisers)
            if offer_open_to(offer, country)
            and (country or offer.eligibility in ("open", "enrolled_students"))
        ]
        for activity in activities:
            kinds = set(activity.offer_kinds)
            fitting = [(o, keys) for o, keys in offers if not kinds or o.kind in kinds]
            links[activity.pk]["offers"] = _best(
                fitting, set(activity.topics), lambda o: o.slug, limit
            )
    try:
        from cityexchange.library.selectors import visible_resources
    except ImportError:
        pass
    else:
        resources = [
            (resource, {t.key for t in resource.topics.all()})
            for resource in visible_resources(user=user or AnonymousUser())
            .filter(topics__key__in=wanted)
            .distinct()
            .prefetch_related(topic_keys)
        ]
        for activity in activities:
            links[activity.pk]["resources"] = _best(
                resources,
                set(activity.topics),
                lambda r: (-(r.published_on.toordinal() if r.published_on else 0), r.pk),
                limit,
            )
    return links


# A dimension scored below this (of MAX_LEVEL) is a gap worth sending material for.
WEAK_BELOW = 2.0


@dataclass(frozen=True)
class WeakDimension:
    """A dimension a municipality scored low in its latest submitted self-assessment."""

    name: str
    score: float
    topics: frozenset[str]


def weak_dimensions_by_organisation(
    *, user: Any, below: float = WEAK_BELOW
) -> dict[int, list[WeakDimension]]:
    """Per municipality, the dimensions of its latest submitted self-assessment that
    scored below ``below``, each with the thesaurus topics of the activities that
    raise it (a dimension has no topics of its own).

    Only for someone who may list every municipality's assessments (network
    staff); anyone else gets nothing. Three queries whatever the number of towns.
    """
    if not user.has_perm("assessments.list_assessments"):
        return {}
    latest: dict[int, Assessment] = {}
    for assessment in (
        Assessment.objects.filter(status=AssessmentStatus.SUBMITTED)
        .order_by("organisation_id", "-submitted_at", "-id")
        .only("organisation_id", "maturity_model_id", "dimension_scores")
    ):
        latest.setdefault(assessment.organisation_id, assessment)
    if not latest:
        return {}
    model_ids = {a.maturity_model_id for a in latest.values()}
    dimensions = {
        (d.maturity_model_id, d.key): d
        for d in Dimension.objects.filter(maturity_model_id__in=model_ids)
    }
    topics: dict[int, set[str]] = {}
    for dimension_id, keys in Activity.objects.filter(
        indicators__dimension__maturity_model_id__in=model_ids
    ).values_list("indicators__dimension_id", "topics"):
        topics.setdefault(dimension_id, set()).update(keys or [])
    result: dict[int, list[WeakDimension]] = {}
    for organisation_id, assessment in latest.items():
        for key, value in (assessment.dimension_scores or {}).items():
            dimension = dimensions.get((assessment.maturity_model_id, key))
            if dimension is None or value is None or float(value) >= below:
                continue
            result.setdefault(organisation_id, []).append(
                WeakDimension(
                    name=dimension.name,
                    score=float(value),
                    topics=frozenset(topics.get(dimension.pk, ())),
                )
            )
    return result
