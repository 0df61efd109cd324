"""Challenge programme API at /api/v1/challenges: rounds, the public catalogue, ideas,
pilots, and writes by the owners (bearer token or session).

No ``from __future__ import annotations`` here: django-ninja reads the annotations at
import time. Unknown filter values are a 422 naming the allowed ones; what someone
may not see is a 404, as on the pages.
"""

from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db import DatabaseError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_countries import countries
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from cityexchange.challenges import selectors, services
from cityexchange.challenges.models import Challenge, PilotProposal, Round
from cityexchange.core.access import get_for_user
from cityexchange.core.api import token_or_session
from cityexchange.core.models import Concept, Organisation, User
from cityexchange.core.schemas import ErrorOut
from cityexchange.core.services import api_token_authenticate

router = Router(tags=["challenges"])

# Ids beyond what every database column holds are a 422, not a database error.
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _viewer(request: HttpRequest) -> Any:
    """Who asks, on reads that are public for some objects and private for others:
    a valid bearer token's owner, else the session's user (possibly anonymous)."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = api_token_authenticate(raw=header[7:].strip())
        if user is not None:
            return user
    return request.user


def _unknown(field: str, value: object, allowed: list[str]) -> PydanticCustomError:
    return PydanticCustomError(
        "unknown_value",
        "{message}",
        {
            "message": _("unknown %(field)s “%(value)s”; allowed: %(allowed)s")
            % {"field": field, "value": value, "allowed": ", ".join(allowed) or "–"}
        },
    )


def _code(obj: Any) -> str:
    return str(getattr(obj, "code", obj) or "")


# ---------------------------------------------------------------- rounds


class StageOut(Schema):
    kind: str
    name: str
    opens: str
    closes: str
    note: str
    state: str


class SizeOut(Schema):
    key: str
    name: str
    duration_months: int
    amount: Decimal
    count: int


class RuleOut(Schema):
    kind: str
    count: int
    country: str
    text: str


class RoundOut(Schema):
    slug: str
    name: str
    organiser: str
    current_stages: list[str]


class RoundDetailOut(RoundOut):
    description: str
    budget: Decimal | None
    currency: str
    time_zone: str  # the zone in which the organiser announced the stages' days
    languages: list[str]
    topics: list[str]
    max_challenges_per_city: int | None
    max_interests_per_city: int | None
    stages: list[StageOut]
    sizes: list[SizeOut]
    consortium_rules: list[RuleOut]


def _round_out(round_: Round) -> dict[str, Any]:
    entries = selectors.timeline(round_)
    return {
        "slug": round_.slug,
        "name": round_.name,
        "organiser": round_.organiser.slug,
        "current_stages": [e.stage.kind for e in entries if e.state == "current"],
    }


@router.get("/rounds", response=list[RoundOut], auth=None)
@paginate
def rounds(request: HttpRequest) -> list[dict[str, Any]]:
    """Every round, newest first, with the stages open now."""
    return [_round_out(r) for r in selectors.rounds_list()]


@router.get("/rounds/{slug}", response=RoundDetailOut, auth=None)
def round_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """A round with its stages (opening and closing times in UTC), pilot sizes, budget
    and consortium rules."""
    round_ = get_for_user(selectors.round_queryset(), user=request.user, slug=slug)
    rules = list(round_.rules.all())
    texts = services.round_rules(round_)
    return {
        **_round_out(round_),
        "description": round_.description,
        "budget": round_.budget,
        "currency": round_.currency,
        "time_zone": round_.time_zone,
        "languages": list(round_.languages),
        "topics": sorted(t.key for t in round_.topics.all()),
        "max_challenges_per_city": round_.max_challenges_per_city,
        "max_interests_per_city": round_.max_interests_per_city,
        "stages": [
            {
                "kind": e.stage.kind,
                "name": e.stage.get_kind_display(),
                "opens": e.stage.opens_at.isoformat(),
                "closes": e.stage.closes_at.isoformat(),
                "note": e.stage.note,
                "state": e.state,
            }
            for e in selectors.timeline(round_)
        ],
        "sizes": list(round_.sizes.all()),
        "consortium_rules": [
            {"kind": r.kind, "count": r.count, "country": r.country, "text": t.message}
            for r, t in zip(rules, texts, strict=True)
        ],
    }


# ---------------------------------------------------------------- ideas, proposals, pilots


class IdeaOut(Schema):
    id: int
    round: str
    organisation: str
    title: str
    summary: str
    challenges: list[int]

    @staticmethod
    def resolve_round(obj: Any) -> str:
        return str(obj.round.slug)

    @staticmethod
    def resolve_organisation(obj: Any) -> str:
        return str(obj.organisation.slug)

    @staticmethod
    def resolve_challenges(obj: Any) -> list[int]:
        return [c.pk for c in obj.challenges.all()]


@router.get("/ideas", response=list[IdeaOut], auth=None)
@paginate
def ideas(request: HttpRequest) -> Any:
    """Selected solution ideas with their public summaries."""
    return selectors.public_ideas()


class PilotFigureOut(Schema):
    label: str
    value: str  # a decimal, as text, exactly as the consortium gave it
    unit: str


class PilotOut(Schema):
    id: int
    round: str
    title: str
    lead: str
    size: str
    status: str
    starts_on: str | None
    ends_on: str | None
    outcomes: str
    lessons: str
    figures: list[PilotFigureOut]
    library_resource: str | None
    challenges: list[int]  # the published challenges the pilot answers

    @staticmethod
    def resolve_round(obj: Any) -> str:
        return str(obj.proposal.round.slug)

    @staticmethod
    def resolve_lead(obj: Any) -> str:
        return str(obj.proposal.lead.slug)

    @staticmethod
    def resolve_size(obj: Any) -> str:
        return str(obj.proposal.size.key)

    @staticmethod
    def resolve_starts_on(obj: Any) -> str | None:
        return obj.starts_on.isoformat() if obj.starts_on else None

    @staticmethod
    def resolve_ends_on(obj: Any) -> str | None:
        return obj.ends_on.isoformat() if obj.ends_on else None

    # Results are the consortium's draft until they publish them.
    @staticmethod
    def resolve_outcomes(obj: Any) -> str:
        return str(obj.outcomes) if obj.results_published_at else ""

    @staticmethod
    def resolve_lessons(obj: Any) -> str:
        return str(obj.lessons) if obj.results_published_at else ""

    @staticmethod
    def resolve_figures(obj: Any) -> list[dict[str, Any]]:
        if not obj.results_published_at:
            return []
        return [
            {"label": f.label, "value": str(f.value), "unit": f.unit} for f in obj.figures.all()
        ]

    @staticmethod
    def resolve_challenges(obj: Any) -> list[int]:
        return [c.pk for c in selectors.pilot_challenges(obj)]

    @staticmethod
    def resolve_library_resource(obj: Any) -> str | None:
        if obj.results_published_at and obj.resource is not None:
            return str(obj.resource.slug)
        return None


@router.get("/pilots", response=list[PilotOut], auth=None)
@paginate
def pilots(request: HttpRequest) -> Any:
    return selectors.public_pilots()


class CheckOut(Schema):
    kind: str
    met: bool
    rule: str
    missing: str


class ProposalOut(Schema):
    id: int
    round: str
    title: str
    lead: str
    size: str
    status: str
    members: list[dict[str, Any]]
    rules: list[CheckOut]


@router.get("/proposals/{proposal_id}", response=ProposalOut, auth=token_or_session)
def proposal(request: HttpRequest, proposal_id: Id) -> dict[str, Any]:
    """A proposal with its consortium and the rule check: for its consortium, staff and
    unconflicted evaluators."""
    found: PilotProposal = get_for_user(
        selectors.proposal_queryset(),
        user=request.user,
        perm="challenges.view_proposal",
        pk=proposal_id,
    )
    return {
        "id": found.pk,
        "round": found.round.slug,
        "title": found.title,
        "lead": found.lead.slug,
        "size": found.size.key,
        "status": found.status,
        "members": [
            {
                "organisation": m.organisation.slug,
                "role": m.role,
                "status": m.status,
                "budget": str(m.budget),
            }
            for m in found.members.all()
        ],
        "rules": [
            {"kind": c.kind, "met": c.met, "rule": c.message, "missing": c.missing}
            for c in services.consortium_check(found)
        ],
    }


# ---------------------------------------------------------------- challenges


class ChallengeOut(Schema):
    id: int
    round: str
    city: str
    city_name: str
    country: str
    title: str
    problem: str
    affected: str
    current_situation: str
    data_available: str
    tried: str
    desired_outcome: str
    constraints: str
    topics: list[str]
    population: int | None
    language: str
    status: str
    is_demo: bool

    @staticmethod
    def resolve_round(obj: Challenge) -> str:
        return obj.round.slug

    @staticmethod
    def resolve_city(obj: Challenge) -> str:
        return obj.city.slug

    @staticmethod
    def resolve_city_name(obj: Challenge) -> str:
        return obj.city.name

    @staticmethod
    def resolve_country(obj: Challenge) -> str:
        return _code(obj.city.country)

    @staticmethod
    def resolve_topics(obj: Challenge) -> list[str]:
        return [t.key for t in obj.topics.all()]


def _with_enum(schema: dict[str, Any], values: list[str]) -> None:
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "string":
            option["enum"] = ["", *values]


def _round_slugs(schema: dict[str, Any]) -> None:
    try:
        _with_enum(schema, sorted(Round.objects.values_list("slug", flat=True)))
    except DatabaseError:  # a database not migrated yet: the schema names no slugs
        return


def _topic_keys(schema: dict[str, Any]) -> None:
    try:
        _with_enum(schema, sorted(Concept.objects.values_list("key", flat=True)))
    except DatabaseError:
        return


def _topic_items(schema: dict[str, Any]) -> None:
    try:
        keys = sorted(Concept.objects.values_list("key", flat=True))
    except DatabaseError:
        return
    if keys:
        schema["items"] = {"type": "string", "enum": keys}


def _country_codes(schema: dict[str, Any]) -> None:
    _with_enum(schema, sorted(code for code, _name in countries))


class ChallengeFilter(Schema):
    round: str | None = Field(
        None, max_length=80, description="a round's slug", json_schema_extra=_round_slugs
    )
    topic: str | None = Field(
        None,
        max_length=80,
        description="a topic key from GET /api/v1/topics",
        json_schema_extra=_topic_keys,
    )
    country: str | None = Field(
        None,
        max_length=2,
        description="ISO 3166 code of the city's country",
        json_schema_extra=_country_codes,
    )

    @field_validator("round", mode="before")
    @classmethod
    def _round(cls, value: Any) -> Any:
        if value in (None, ""):
            return None
        allowed = sorted(Round.objects.values_list("slug", flat=True))
        if value not in allowed:
            raise _unknown("round", value, allowed)
        return value

    @field_validator("topic", mode="before")
    @classmethod
    def _topic(cls, value: Any) -> Any:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not Concept.objects.filter(key=value).exists():
            used = [c.key for c in selectors.catalogue_topics()]
            raise _unknown("topic", value, used or ["GET /api/v1/topics"])
        return value

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> Any:
        if value in (None, ""):
            return None
        code = str(value).upper()
        if code not in dict(countries):
            raise _unknown("country", value, selectors.catalogue_countries() or ["ISO 3166"])
        return code


@router.get("", response=list[ChallengeOut], auth=None)
@paginate
def challenge_list(request: HttpRequest, filters: Query[ChallengeFilter]) -> QuerySet[Challenge]:
    """Published challenges, filtered by round, topic and the city's country."""
    round_ = Round.objects.get(slug=filters.round) if filters.round else None
    return selectors.catalogue_queryset(round_=round_, topic=filters.topic, country=filters.country)


class ChallengeIn(Schema):
    round: str = Field(..., max_length=80)
    city: str = Field(..., max_length=80, description="slug of one of your cities")
    title: str = Field(..., min_length=1, max_length=200)
    problem: str = Field(..., min_length=1, max_length=6000)
    affected: str = Field("", max_length=3000)
    current_situation: str = Field("", max_length=4000)
    data_available: str = Field("", max_length=4000)
    tried: str = Field("", max_length=4000)
    desired_outcome: str = Field("", max_length=4000)
    constraints: str = Field("", max_length=4000)
    topics: list[str] = Field(default_factory=list, max_length=20, json_schema_extra=_topic_items)
    population: int | None = Field(None, ge=1, le=100_000_000)
    language: Literal["de", "en", "es", "pt"] = "en"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by the route's auth
    return user


def _refuse(exc: services.ChallengeError) -> HttpError:
    return HttpError(409, str(exc))


@router.get("/{challenge_id}", response=ChallengeOut, auth=None)
def challenge_detail(request: HttpRequest, challenge_id: Id) -> Challenge:
    """A challenge: public once published, before that only for its city and staff."""
    return get_for_user(
        selectors.challenge_queryset(),
        user=_viewer(request),
        perm="challenges.view_challenge",
        pk=challenge_id,
    )


# Writes answer 403 (not yours), 404 (not found or not visible) and 409 (refused by
# the round: deadline, limit, state; nothing changed), each with a readable detail.
REFUSALS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


@router.post("", response={201: ChallengeOut, **REFUSALS}, auth=token_or_session)
def challenge_create(request: HttpRequest, payload: ChallengeIn) -> Status:
    """Save a draft challenge of one of your cities (any date: drafts are never lost)."""
    user = _user(request)
    round_ = get_for_user(Round.objects.all(), user=user, slug=payload.round)
    city = Organisation.objects.filter(slug=payload.city, memberships__user=user).first()
    if city is None:
        raise HttpError(403, _("“%(city)s” is not one of your cities.") % {"city": payload.city})
    topics = list(Concept.objects.filter(key__in=payload.topics))
    if len(topics) != len(set(payload.topics)):
        wrong = sorted(set(payload.topics) - {t.key for t in topics})
        raise HttpError(422, _("unknown topics: %(topics)s") % {"topics": ", ".join(wrong)})
    data = services.ChallengeInput(
        title=payload.title,
        problem=payload.problem,
        affected=payload.affected,
        current_situation=payload.current_situation,
        data_available=payload.data_available,
        tried=payload.tried,
        desired_outcome=payload.desired_outcome,
        constraints=payload.constraints,
        topics=topics,
        population=payload.population,
        language=payload.language,
    )
    try:
        challenge = services.challenge_create(round=round_, city=city, user=user, data=data)
    except services.ChallengeError as exc:
        raise _refuse(exc) from exc
    return Status(201, selectors.challenge_queryset().get(pk=challenge.pk))


def _own_challenge(request: HttpRequest, challenge_id: Id) -> Challenge:
    challenge = challenge_detail(request, challenge_id)
    if not request.user.has_perm("challenges.change_challenge", challenge):
        raise HttpError(403, _("Only the city's members can change its challenge."))
    return challenge


@router.post(
    "/{challenge_id}/submit", response={200: ChallengeOut, **REFUSALS}, auth=token_or_session
)
def challenge_submit(request: HttpRequest, challenge_id: Id) -> Challenge:
    """Hand the challenge in: refused (409, nothing changed) after the deadline or the limit."""
    challenge = _own_challenge(request, challenge_id)
    try:
        services.challenge_submit(challenge=challenge, user=_user(request))
    except services.ChallengeError as exc:
        raise _refuse(exc) from exc
    return selectors.challenge_queryset().get(pk=challenge.pk)


@router.post(
    "/{challenge_id}/withdraw", response={200: ChallengeOut, **REFUSALS}, auth=token_or_session
)
def challenge_withdraw(request: HttpRequest, challenge_id: Id) -> Challenge:
    challenge = _own_challenge(request, challenge_id)
    try:
        services.challenge_withdraw(challenge=challenge, user=_user(request))
    except services.ChallengeError as exc:
        raise _refuse(exc) from exc
    return selectors.challenge_queryset().get(pk=challenge.pk)


class InterestIn(Schema):
    city: str = Field(..., max_length=80, description="slug of one of your cities")
    note: str = Field("", max_length=500)


class InterestOut(Schema):
    challenge: int
    city: str


@router.post(
    "/{challenge_id}/interest", response={201: InterestOut, **REFUSALS}, auth=token_or_session
)
def interest_add(request: HttpRequest, challenge_id: Id, payload: InterestIn) -> Status:
    """Your city shows interest in another city's published challenge."""
    user = _user(request)
    challenge = challenge_detail(request, challenge_id)
    city = Organisation.objects.filter(slug=payload.city, memberships__user=user).first()
    if city is None:
        raise HttpError(403, _("“%(city)s” is not one of your cities.") % {"city": payload.city})
    try:
        services.interest_add(challenge=challenge, city=city, user=user, note=payload.note)
    except services.ChallengeError as exc:
        raise _refuse(exc) from exc
    return Status(201, {"challenge": challenge.pk, "city": city.slug})


class InterestedOut(Schema):
    city: str
    city_name: str
    country: str


@router.get("/{challenge_id}/interests", response=list[InterestedOut], auth=token_or_session)
def interests(request: HttpRequest, challenge_id: Id) -> list[dict[str, str]]:
    """Who is interested: for the challenge's city and staff only."""
    challenge = challenge_detail(request, challenge_id)
    if not request.user.has_perm("challenges.view_interests", challenge):
        raise HttpError(404, _("Not found."))
    return [
        {"city": i.city.slug, "city_name": i.city.name, "country": _code(i.city.country)}
        for i in selectors.interests_of(challenge)
    ]
