"""Reads of the challenge programme: rounds and their timeline, the catalogue,
what a person's organisations handed in, the evaluator's list and the panel."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cityexchange.challenges.models import (
    Challenge,
    ChallengeStatus,
    ConsortiumMember,
    Criterion,
    Evaluator,
    IdeaStatus,
    Interest,
    Pilot,
    PilotProposal,
    PilotStatus,
    ProposalStatus,
    Round,
    Score,
    SolutionIdea,
    Stage,
    StageKind,
)
from cityexchange.challenges.services import CITY_KINDS
from cityexchange.core import caching
from cityexchange.core.models import Organisation

# At most this many challenges' analysed texts are kept per process.
TOKENS_KEPT = 5000


def round_queryset() -> QuerySet[Round]:
    return Round.objects.select_related("organiser", "offer").prefetch_related(
        "stages", "sizes", "rules", "topics", "criteria"
    )


def rounds_list() -> QuerySet[Round]:
    return round_queryset().order_by("-created_at", "slug")


@dataclass
class TimelineEntry:
    stage: Stage
    state: str  # "past", "current" or "future"
    first_day: dt.date  # the days as the organiser announced them, in the round's zone
    last_day: dt.date
    whole_days: bool  # opens at midnight and closes at the end of a day there


def timeline(round_: Round, *, now: dt.datetime | None = None) -> list[TimelineEntry]:
    """The round's stages in order, each marked past, current (open now) or future.

    Stages announced as whole days (the call closes on 30 September) are shown as
    those days in the organiser's zone: in a viewer's own zone the same moments would
    read "22 August 23:00 until 23 August 22:59" for a one-day webinar.
    """
    now = now or timezone.now()
    zone = round_.zone
    entries = []
    for stage in sorted(round_.stages.all(), key=lambda s: (s.opens_at, s.closes_at)):
        if stage.closes_at <= now:
            state = "past"
        elif stage.opens_at <= now:
            state = "current"
        else:
            state = "future"
        opens, closes = stage.opens_at.astimezone(zone), stage.closes_at.astimezone(zone)
        entries.append(
            TimelineEntry(
                stage=stage,
                state=state,
                first_day=opens.date(),
                last_day=closes.date(),
                whole_days=opens.time() == dt.time(0) and closes.time() >= dt.time(23, 59),
            )
        )
    return entries


def open_stages(round_: Round, *, now: dt.datetime | None = None) -> set[str]:
    return {e.stage.kind for e in timeline(round_, now=now) if e.state == "current"}


def challenge_queryset() -> QuerySet[Challenge]:
    return Challenge.objects.select_related("round", "city").prefetch_related("topics")


def catalogue_queryset(
    *,
    round_: Round | None = None,
    topic: str | None = None,
    country: str | None = None,
) -> QuerySet[Challenge]:
    """Published challenges, filtered by round, topic key and the city's country."""
    queryset = challenge_queryset().filter(status=ChallengeStatus.PUBLISHED)
    if round_ is not None:
        queryset = queryset.filter(round=round_)
    if topic:
        queryset = queryset.filter(topics__key=topic)
    if country:
        queryset = queryset.filter(city__country=country)
    return queryset.annotate(interest_count=Count("interests", distinct=True)).order_by(
        "city__country", "city__name", "pk"
    )


def catalogue(
    *,
    round_: Round | None = None,
    topic: str | None = None,
    country: str | None = None,
    query: str | None = None,
) -> list[Challenge]:
    """The catalogue's challenges; words go through the library's cross-lingual analysis.

    A challenge matches when each word of the query meets one of its stems (under any
    of the four languages' rules) or a thesaurus concept it names or is tagged with,
    so "gestión del agua" finds a German challenge about "Wassermanagement".
    """
    challenges = list(catalogue_queryset(round_=round_, topic=topic, country=country))
    return search_challenges(challenges, query) if query else challenges


def _challenge_tokens(challenge: Challenge, index: Any) -> set[str]:
    from cityexchange.library.analysis import analyse_document

    language = challenge.language or "en"
    document = analyse_document(
        resource_id=challenge.pk,
        titles={language: challenge.title},
        summaries={language: challenge.problem},
        body="\n".join(
            [
                challenge.affected,
                challenge.current_situation,
                challenge.data_available,
                challenge.tried,
                challenge.desired_outcome,
                challenge.constraints,
            ]
        ),
        languages=[language],
        topic_keys=[t.key for t in challenge.topics.all()],
        facets={},
        is_public=True,
        published_on=None,
        index=index,
    )
    return set(
        " ".join([document.title, document.summary, document.body, document.concepts]).split()
    )


def search_challenges(challenges: list[Challenge], query: str) -> list[Challenge]:
    """The challenges whose analysed text meets every word of ``query`` (any language)."""
    from cityexchange.core.text import thesaurus
    from cityexchange.library.analysis import analyse_query

    index = thesaurus()
    analysed = analyse_query(query, index)
    groups = analysed.groups
    if not groups:
        return challenges if analysed.is_empty and not analysed.words else []
    # A challenge's tokens are worked out once per text, topics and thesaurus, not on
    # every search: analysing every text is most of a search's work.
    kept: dict[tuple[Any, ...], set[str]] = caching.cached(
        "challenges.tokens", dict, depends_on=("thesaurus",)
    )
    found = []
    for challenge in challenges:
        key = (challenge.pk, challenge.updated_at, *sorted(t.key for t in challenge.topics.all()))
        tokens = kept.get(key)
        if tokens is None:
            tokens = _challenge_tokens(challenge, index)
            if len(kept) >= TOKENS_KEPT:
                kept.pop(next(iter(kept)), None)
            kept[key] = tokens
        if all(any(token in tokens for token in group) for group in groups):
            found.append(challenge)
    return found


def catalogue_countries(round_: Round | None = None) -> list[str]:
    queryset = Challenge.objects.filter(status=ChallengeStatus.PUBLISHED)
    if round_ is not None:
        queryset = queryset.filter(round=round_)
    return sorted(set(queryset.values_list("city__country", flat=True)) - {""})


def catalogue_topics(round_: Round | None = None) -> list[Any]:
    from cityexchange.core.models import Concept

    queryset = Concept.objects.filter(challenges__status=ChallengeStatus.PUBLISHED)
    if round_ is not None:
        queryset = queryset.filter(challenges__round=round_)
    return list(queryset.distinct().order_by("key"))


def cities_of(user: Any) -> list[Organisation]:
    if not user.is_authenticated:
        return []
    return list(
        Organisation.objects.filter(memberships__user=user, kind__in=CITY_KINDS).order_by("name")
    )


def organisations_of(user: Any) -> list[Organisation]:
    if not user.is_authenticated:
        return []
    return list(Organisation.objects.filter(memberships__user=user).order_by("name"))


def interests_of(challenge: Challenge) -> list[Interest]:
    return list(challenge.interests.select_related("city").order_by("created_at"))


def my_challenges(user: Any) -> list[Challenge]:
    if not user.is_authenticated:
        return []
    return list(
        challenge_queryset()
        .filter(city__memberships__user=user)
        .order_by("round__slug", "-created_at")
    )


def my_interests(user: Any, round_: Round) -> set[int]:
    """Ids of the round's challenges that one of the user's cities is interested in."""
    if not user.is_authenticated:
        return set()
    return set(
        Interest.objects.filter(challenge__round=round_, city__memberships__user=user).values_list(
            "challenge_id", flat=True
        )
    )


def proposal_queryset() -> QuerySet[PilotProposal]:
    return PilotProposal.objects.select_related("round", "size", "lead", "idea").prefetch_related(
        Prefetch("members", queryset=ConsortiumMember.objects.select_related("organisation")),
        "round__rules",
    )


def my_proposals(user: Any) -> list[PilotProposal]:
    if not user.is_authenticated:
        return []
    return list(
        proposal_queryset()
        .filter(Q(lead__memberships__user=user) | Q(members__organisation__memberships__user=user))
        .exclude(members__status="declined", members__organisation__memberships__user=user)
        .distinct()
        .order_by("-created_at")
    )


def public_ideas(round_: Round | None = None) -> QuerySet[SolutionIdea]:
    queryset = SolutionIdea.objects.filter(status=IdeaStatus.SELECTED).select_related(
        "organisation", "round"
    )
    if round_ is not None:
        queryset = queryset.filter(round=round_)
    return queryset.prefetch_related("challenges").order_by("pk")


def answered_challenges() -> Prefetch:
    """The published challenges a pilot answers (through its proposal's idea), each with
    its city, as ``pilot.proposal.idea.public_challenges``; drafts and withdrawn
    challenges are never named on a public page."""
    return Prefetch(
        "proposal__idea__challenges",
        queryset=Challenge.objects.filter(status=ChallengeStatus.PUBLISHED)
        .select_related("city")
        .order_by("title", "pk"),
        to_attr="public_challenges",
    )


def pilot_challenges(pilot: Pilot) -> list[Challenge]:
    """The published challenges ``pilot`` answers (prefetched by ``answered_challenges``)."""
    idea = pilot.proposal.idea
    return list(getattr(idea, "public_challenges", [])) if idea is not None else []


def public_pilots(round_: Round | None = None) -> QuerySet[Pilot]:
    queryset = Pilot.objects.select_related(
        "proposal__round", "proposal__lead", "proposal__size", "proposal__idea", "resource"
    ).prefetch_related("figures", answered_challenges())
    if round_ is not None:
        queryset = queryset.filter(proposal__round=round_)
    return queryset.order_by("pk")


def ideas_for_proposal(round_: Round) -> list[SolutionIdea]:
    return list(round_.ideas.filter(status=IdeaStatus.SELECTED).order_by("title"))


def partner_candidates(proposal: PilotProposal) -> list[Organisation]:
    """Organisations that could join: cities, research and development, others."""
    taken = {m.organisation_id for m in proposal.members.all() if m.status != "declined"}
    return list(
        Organisation.objects.exclude(pk__in=taken)
        .only("pk", "name", "country", "kind")
        .order_by("country", "name")
    )


# ---------------------------------------------------------------- evaluation


def evaluator_of(round_: Round, user: Any) -> Evaluator | None:
    if not user.is_authenticated:
        return None
    return Evaluator.objects.filter(round=round_, user=user).first()


@dataclass
class WorkItem:
    proposal: PilotProposal
    conflicted: bool
    scored: int  # criteria scored by this evaluator


def workspace(evaluator: Evaluator) -> list[WorkItem]:
    """The evaluator's proposals: every handed-in one, with conflicts and progress."""
    conflicts = set(evaluator.conflicts.values_list("proposal_id", flat=True))
    scored = dict(
        Score.objects.filter(evaluator=evaluator)
        .values("proposal_id")
        .annotate(n=Count("pk"))
        .values_list("proposal_id", "n")
    )
    proposals = (
        PilotProposal.objects.filter(round_id=evaluator.round_id)
        .exclude(status__in=[ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN])
        .select_related("lead", "size")
        .order_by("title", "pk")
    )
    return [
        WorkItem(
            proposal=p,
            conflicted=p.pk in conflicts,
            # A conflicted evaluator sees the proposal's existence, never its content.
            scored=0 if p.pk in conflicts else scored.get(p.pk, 0),
        )
        for p in proposals
    ]


def scores_of(evaluator: Evaluator, proposal: PilotProposal) -> dict[int, Score]:
    return {s.criterion_id: s for s in Score.objects.filter(evaluator=evaluator, proposal=proposal)}


@dataclass
class PanelRow:
    proposal: PilotProposal
    totals: list[int] = field(default_factory=list)  # one per evaluator who scored everything
    partial: int = 0  # evaluators who scored some criteria only
    conflicts: int = 0
    mean: Decimal | None = None
    spread: int | None = None
    disagree: bool = False
    criterion_means: dict[int, Decimal] = field(default_factory=dict)


def panel(round_: Round) -> list[PanelRow]:
    """Each handed-in proposal's totals per evaluator, mean, spread and a disagreement flag.

    A total counts only when the evaluator scored every criterion; the flag is raised
    when the highest and lowest totals differ by more than the round's margin.
    Ranked by consensus score, then mean.
    """
    criteria = list(Criterion.objects.filter(round=round_))
    proposals = list(
        PilotProposal.objects.filter(round=round_)
        .exclude(status__in=[ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN])
        .select_related("lead", "size")
        .annotate(conflict_count=Count("conflicts", distinct=True))
    )
    per: dict[tuple[int, int], list[Score]] = {}
    for score in Score.objects.filter(proposal__in=proposals):
        per.setdefault((score.proposal_id, score.evaluator_id), []).append(score)
    rows = []
    for proposal in proposals:
        row = PanelRow(proposal=proposal, conflicts=proposal.conflict_count)
        by_criterion: dict[int, list[int]] = {}
        for (proposal_id, _evaluator), scores in per.items():
            if proposal_id != proposal.pk:
                continue
            for s in scores:
                by_criterion.setdefault(s.criterion_id, []).append(s.value)
            if criteria and len(scores) == len(criteria):
                row.totals.append(sum(s.value for s in scores))
            else:
                row.partial += 1
        row.criterion_means = {
            cid: Decimal(str(round(statistics.mean(values), 2)))
            for cid, values in by_criterion.items()
        }
        if row.totals:
            row.totals.sort()
            row.mean = Decimal(str(round(statistics.mean(row.totals), 2)))
            row.spread = row.totals[-1] - row.totals[0]
            row.disagree = Decimal(row.spread) > round_.disagreement_margin
        rows.append(row)
    rows.sort(
        key=lambda r: (
            -(
                r.proposal.consensus_score
                if r.proposal.consensus_score is not None
                else Decimal(-1)
            ),
            -(r.mean if r.mean is not None else Decimal(-1)),
            r.proposal.pk,
        )
    )
    return rows


def staff_counts(round_: Round, *, language: str) -> dict[str, Any]:
    """Counts for the staff overview: challenges per status, per country and per topic
    (countries and topics by their names in ``language``)."""
    from django_countries import countries

    from cityexchange.core.text import thesaurus

    challenges = Challenge.objects.filter(round=round_)
    handed_in = challenges.exclude(status__in=[ChallengeStatus.DRAFT, ChallengeStatus.WITHDRAWN])
    by_status = challenges.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    by_country = (
        handed_in.values_list("city__country")
        .annotate(n=Count("pk"))
        .values_list("city__country", "n")
    )
    by_topic = (
        handed_in.values_list("topics__key")
        .annotate(n=Count("pk"))
        .exclude(topics__key=None)
        .values_list("topics__key", "n")
    )
    return {
        "by_stage": _counts_per_stage(round_, handed_in),
        "by_status": {str(ChallengeStatus(status).label): n for status, n in by_status},
        "by_country": sorted(
            (str(countries.name(code)) if code else "", n) for code, n in by_country
        ),
        "by_topic": sorted((thesaurus().label(key, language), n) for key, n in by_topic),
        "proposals": PilotProposal.objects.filter(round=round_)
        .exclude(status=ProposalStatus.DRAFT)
        .count(),
    }


def _counts_per_stage(round_: Round, handed_in: QuerySet[Challenge]) -> list[tuple[str, str, int]]:
    """For each of the round's stages that collects something: the stage, what it
    collects and how many (one count query per stage, whatever the numbers)."""
    ideas = SolutionIdea.objects.filter(round=round_)
    proposals = PilotProposal.objects.filter(round=round_)
    what: dict[str, tuple[Any, Any]] = {
        StageKind.CHALLENGES: (_("challenges handed in"), handed_in),
        StageKind.INTEREST: (
            _("expressions of interest"),
            Interest.objects.filter(challenge__round=round_),
        ),
        StageKind.IDEAS: (
            _("solution ideas handed in"),
            ideas.exclude(status=IdeaStatus.DRAFT),
        ),
        StageKind.SELECTION: (
            _("solution ideas selected"),
            ideas.filter(status=IdeaStatus.SELECTED),
        ),
        StageKind.PILOT_PROPOSALS: (
            _("pilot proposals handed in"),
            proposals.exclude(status__in=[ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN]),
        ),
        StageKind.EVALUATION: (
            _("proposals with scores"),
            proposals.filter(scores__isnull=False).distinct(),
        ),
        StageKind.DECISION: (
            _("proposals funded"),
            proposals.filter(status=ProposalStatus.FUNDED),
        ),
        StageKind.PILOTS: (
            _("pilots running"),
            Pilot.objects.filter(proposal__round=round_, status=PilotStatus.RUNNING),
        ),
    }
    rows = []
    for stage in round_.stages.all():
        if stage.kind in what:
            label, queryset = what[stage.kind]
            rows.append((str(stage.get_kind_display()), str(label), queryset.count()))
    return rows


# ---------------------------------------------------------------- partner suggestions


@dataclass
class PartnerSuggestion:
    city: Organisation
    score: int
    reasons: list[str]


def _country_name(organisation: Organisation) -> str:
    return str(getattr(organisation.country, "name", organisation.country))


def partner_suggestions(challenge: Challenge, *, limit: int = 5) -> list[PartnerSuggestion]:
    """Cities that fit as co-pilots for ``challenge``, ranked, each with its reasons.

    Candidates are cities with a signal: interest shown in this challenge, challenges
    of their own on the same topics in this round, or the same topics in their Finder
    profile. Similar size and helping to meet the round's country rules add to the
    rank. A constant number of queries whatever the number of cities.
    """
    from cityexchange.directory.models import MunicipalityProfile

    topics = {t.pk: t.label for t in challenge.topics.all()}
    found: dict[int, PartnerSuggestion] = {}

    def add(city: Organisation, points: int, reason: str) -> None:
        entry = found.setdefault(city.pk, PartnerSuggestion(city=city, score=0, reasons=[]))
        entry.score += points
        if reason not in entry.reasons:
            entry.reasons.append(reason)

    for interest in challenge.interests.select_related("city"):
        add(interest.city, 3, _("showed interest in this challenge"))
    if topics:
        others = (
            Challenge.objects.filter(round_id=challenge.round_id, topics__in=list(topics))
            .exclude(city_id=challenge.city_id)
            .exclude(status__in=[ChallengeStatus.DRAFT, ChallengeStatus.WITHDRAWN])
            .select_related("city")
            .prefetch_related("topics")
            .distinct()
        )
        for other in others:
            shared = sorted(topics[t.pk] for t in other.topics.all() if t.pk in topics)
            add(
                other.city,
                len(shared),
                _("handed in a challenge on the same topics: %(topics)s")
                % {"topics": ", ".join(shared)},
            )
        profiles = (
            MunicipalityProfile.objects.filter(topics__in=list(topics))
            .exclude(organisation_id=challenge.city_id)
            .filter(organisation__kind__in=CITY_KINDS)
            .select_related("organisation")
            .prefetch_related("topics")
            .distinct()
        )
        for profile in profiles:
            shared = sorted(topics[t.pk] for t in profile.topics.all() if t.pk in topics)
            add(
                profile.organisation,
                len(shared),
                _("works on the same topics: %(topics)s") % {"topics": ", ".join(shared)},
            )
    own_country = str(challenge.city.country)
    population = challenge.population or challenge.city.population
    for rule in challenge.round.rules.all():
        for entry in found.values():
            country = str(entry.city.country)
            if (
                rule.kind == "min_cities_from"
                and own_country != rule.country
                and country == rule.country
            ):
                entry.score += 2
                entry.reasons.append(
                    _("a city from %(country)s, which the round's rules ask for")
                    % {"country": _country_name(entry.city)}
                )
            if (
                rule.kind == "min_cities_outside"
                and own_country == rule.country
                and country != rule.country
            ):
                entry.score += 2
                entry.reasons.append(
                    _("a city from outside %(country)s, which the round's rules ask for")
                    % {"country": _country_name(challenge.city)}
                )
    if population:
        for entry in found.values():
            size = entry.city.population
            if size and population / 2 <= size <= population * 2:
                entry.score += 1
                entry.reasons.append(
                    _("a similar size (%(n)s inhabitants)")
                    % {"n": number_format(size, force_grouping=True)}
                )
    ranked = sorted(found.values(), key=lambda s: (-s.score, s.city.name))
    return ranked[:limit]


def handed_in(round_: Round) -> QuerySet[Challenge]:
    """The round's challenges past the draft stage, for staff exports."""
    return (
        challenge_queryset()
        .filter(round=round_)
        .exclude(status__in=[ChallengeStatus.DRAFT])
        .prefetch_related("interests")
        .order_by("city__country", "city__name", "pk")
    )


def ideas_handed_in(round_: Round) -> list[SolutionIdea]:
    return list(
        SolutionIdea.objects.filter(round=round_)
        .exclude(status__in=[IdeaStatus.DRAFT, IdeaStatus.WITHDRAWN])
        .select_related("organisation")
        .prefetch_related("challenges")
        .order_by("title", "pk")
    )


def my_ideas(user: Any, round_: Round) -> list[SolutionIdea]:
    if not user.is_authenticated:
        return []
    return list(
        SolutionIdea.objects.filter(round=round_, organisation__memberships__user=user)
        .select_related("organisation")
        .order_by("-created_at")
    )


# ---------------------------------------------------------------- pilots


def pilot_queryset() -> QuerySet[Pilot]:
    return Pilot.objects.select_related(
        "proposal__round", "proposal__lead", "proposal__size", "proposal__idea", "resource"
    ).prefetch_related(
        Prefetch(
            "proposal__members",
            queryset=ConsortiumMember.objects.select_related("organisation"),
        ),
        answered_challenges(),
        "milestones",
        "figures",
    )


@dataclass
class PilotProgress:
    pilot: Pilot
    overdue_milestones: list[Any] = field(default_factory=list)
    reports_due: list[dt.date] = field(default_factory=list)  # due days already passed
    reports_handed_in: int = 0
    overdue_reports: list[dt.date] = field(default_factory=list)  # due and not handed in
    next_report_due: dt.date | None = None


def pilot_progress(pilot: Pilot, *, today: dt.date | None = None) -> PilotProgress:
    """Which milestones and reports of the pilot are overdue, and the next report due.

    The n-th report due day counts as met once the consortium has handed in n reports.
    """
    today = today or timezone.localdate()
    handed_in = len(pilot.reports.all())
    due_days = pilot.report_due_dates()
    passed = [d for d in due_days if d < today]
    progress = PilotProgress(pilot=pilot, reports_due=passed, reports_handed_in=handed_in)
    progress.overdue_milestones = [m for m in pilot.milestones.all() if m.is_overdue(today)]
    if pilot.status == "running":
        progress.overdue_reports = passed[handed_in:]
        later = due_days[handed_in:]
        progress.next_report_due = later[0] if later else None
    return progress


def pilots_overview(round_: Round, *, today: dt.date | None = None) -> list[PilotProgress]:
    """Every pilot of the round with what is overdue, most overdue first (staff)."""
    pilots = pilot_queryset().filter(proposal__round=round_).prefetch_related("reports")
    rows = [pilot_progress(p, today=today) for p in pilots]
    rows.sort(key=lambda r: (-(len(r.overdue_milestones) + len(r.overdue_reports)), r.pilot.title))
    return rows
