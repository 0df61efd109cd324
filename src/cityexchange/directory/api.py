"""The directory's JSON API: offers, the Finder and saved result lists.

No ``from __future__ import annotations``: django-ninja reads the annotations
at import time to build its schemas.
"""

import difflib
import json
from collections.abc import Iterable
from typing import Any, Literal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django_countries import countries
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from cityexchange.core.access import get_for_user
from cityexchange.core.i18n import LANGUAGES, current_language
from cityexchange.core.ratelimit import check_api
from cityexchange.core.schemas import ErrorOut
from cityexchange.core.text import thesaurus
from cityexchange.directory import selectors, services
from cityexchange.directory.enums import (
    Budget,
    Cost,
    Format,
    Goal,
    Level,
    OfferKind,
    Region,
    StaffTime,
)
from cityexchange.directory.finder import FinderQuery, finder_run
from cityexchange.directory.limits import FINDER_LIMIT
from cityexchange.directory.models import Offer, SavedResult

router = Router(tags=["directory"])


# ---------------------------------------------------------------- offers


class OrganiserOut(Schema):
    slug: str
    name: str


class OfferOut(Schema):
    slug: str
    kind: str
    name: str
    summary: str
    url: str
    organisers: list[OrganiserOut]
    audience_levels: list[str]
    audience_roles: list[str]
    eligibility: str
    eligible_countries: list[str]
    region: str
    languages: list[str]
    interpretation_languages: list[str]
    format: str
    cost: str
    effort: str
    time_commitment: str
    duration_minutes: int | None
    deadline: str | None = None
    goals: list[str]
    topics: list[str]
    website: str
    status: str

    @staticmethod
    def resolve_url(obj: Offer) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_organisers(obj: Offer) -> list[dict[str, str]]:
        return [{"slug": o.slug, "name": o.name} for o in obj.organisers.all()]

    @staticmethod
    def resolve_topics(obj: Offer) -> list[str]:
        return [t.key for t in obj.topics.all()]

    @staticmethod
    def resolve_deadline(obj: Offer) -> str | None:
        return obj.deadline.isoformat() if obj.deadline else None

    @staticmethod
    def resolve_website(obj: Offer) -> str:
        return obj.url


class OfferDetailOut(OfferOut):
    description: str
    recurrence: str
    starts_on: str | None = None
    ends_on: str | None = None
    reviewed_on: str | None = None

    @staticmethod
    def resolve_starts_on(obj: Offer) -> str | None:
        return obj.starts_on.isoformat() if obj.starts_on else None

    @staticmethod
    def resolve_ends_on(obj: Offer) -> str | None:
        return obj.ends_on.isoformat() if obj.ends_on else None

    @staticmethod
    def resolve_reviewed_on(obj: Offer) -> str | None:
        return obj.reviewed_on.isoformat() if obj.reviewed_on else None


def _unknown(field: str, value: object, allowed: Iterable[str]) -> PydanticCustomError:
    """A validation error that names the bad value and the allowed ones, in the user's language."""
    return PydanticCustomError(
        "unknown_value",
        "{message}",
        {
            "message": _("unknown %(field)s “%(value)s”; allowed: %(allowed)s")
            % {"field": field, "value": value, "allowed": ", ".join(allowed)}
        },
    )


def _one_of(field: str, value: Any, allowed: list[str]) -> Any:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or value not in allowed:
        raise _unknown(field, value, allowed)
    return value


Language = Literal["de", "en", "es", "pt"]


def _topic_keys(schema: dict[str, Any]) -> None:
    """The published schema names the topic keys the thesaurus holds when it is asked."""
    try:
        keys = sorted(thesaurus().labels)
    except DatabaseError:  # a database not migrated yet: the schema names no keys
        return
    if keys:
        schema["enum"] = keys


def _country_codes(schema: dict[str, Any]) -> None:
    codes = ["", *sorted(code for code, _name in countries)]
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "string":
            option["enum"] = codes


def _offer_slugs(schema: dict[str, Any]) -> None:
    """The published schema names the offers a municipality can say it takes part in."""
    try:
        slugs = sorted(Offer.objects.values_list("slug", flat=True))
    except DatabaseError:  # a database not migrated yet
        return
    if slugs:
        for option in schema.get("anyOf", [schema]):
            if option.get("type") == "array":
                option["items"] = {"type": "string", "enum": slugs}


class OfferFilter(Schema):
    """Filters of ``GET /offers``; an unknown value is a 422 naming the allowed ones.

    An empty list would be a misleading answer to a typo (``format=onlin``), so
    values are checked rather than passed on as filters that match nothing.
    """

    kind: OfferKind | None = None
    topic: str | None = Field(
        None,
        max_length=80,
        description="a topic key from GET /api/v1/topics, e.g. flooding",
        json_schema_extra=_topic_keys,
    )
    audience: Level | None = None
    language: Language | None = Field(None, description="de, en, es or pt")
    format: Format | None = None
    cost: Cost | None = None
    region: Region | None = None

    @field_validator("kind", "audience", "format", "cost", "region", mode="before")
    @classmethod
    def _choice(cls, value: Any, info: ValidationInfo) -> Any:
        enum = {
            "kind": OfferKind,
            "audience": Level,
            "format": Format,
            "cost": Cost,
            "region": Region,
        }[str(info.field_name)]
        return _one_of(str(info.field_name), value, list(enum.values))

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: Any) -> Any:
        return _one_of("language", value, list(LANGUAGES))

    @field_validator("topic", mode="before")
    @classmethod
    def _topic(cls, value: Any) -> Any:
        if value in (None, ""):
            return None
        known = thesaurus().labels
        if isinstance(value, str) and value in known:
            return value
        text = str(value)
        named = [m.concept for m in thesaurus().find(text)]
        suggestions = named[:3] or difflib.get_close_matches(text, list(known), n=3, cutoff=0.6)
        if suggestions:
            message = _(
                "unknown topic “%(value)s”; did you mean %(suggestions)s? "
                "All topic keys: GET /api/v1/topics"
            ) % {"value": text, "suggestions": ", ".join(suggestions)}
        else:
            message = _("unknown topic “%(value)s”; all topic keys: GET /api/v1/topics") % {
                "value": text
            }
        raise PydanticCustomError("unknown_value", "{message}", {"message": message})


@router.get("/offers", response=list[OfferOut], auth=None)
@paginate
def offers(request: HttpRequest, filters: Query[OfferFilter]) -> QuerySet[Offer]:
    """Active offers, filtered by kind, topic, audience, language, format, cost and region."""
    values: dict[str, Any] = {k: str(v) for k, v in filters.dict().items() if v}
    return selectors.offer_list(**values)


@router.get("/offers/{slug}", response=OfferDetailOut, auth=None)
def offer(request: HttpRequest, slug: str) -> Offer:
    return get_for_user(selectors.offer_for_page(slug), user=request.user, slug=slug)


# ---------------------------------------------------------------- finder


class FinderIn(Schema):
    description: str = Field(..., min_length=1, max_length=4000)
    country: str | None = Field(
        None, description="ISO 3166 country code, e.g. DE", json_schema_extra=_country_codes
    )
    population: int | None = Field(None, ge=1, le=50_000_000)
    experience: Level | None = None
    languages: list[Language] = Field(default_factory=list, max_length=4)
    goals: list[Goal] = Field(default_factory=list, max_length=11)
    topics: list[str] = Field(default_factory=list, max_length=30)
    staff_time: StaffTime | None = Field(None, description="optional: none | some | team")
    budget: Budget | None = Field(None, description="optional: none | small | available")
    language: Language | None = Field(
        None, description="language of the reasons (de|en|es|pt); default: Accept-Language"
    )
    memberships: list[str] | None = Field(
        None,
        max_length=50,
        json_schema_extra=_offer_slugs,
        description=(
            "slugs of the offers (networks, programmes) the municipality already takes part in; "
            "default: those of the signed-in user's municipality profile, if any"
        ),
    )

    @field_validator("description")
    @classmethod
    def _has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        code = value.strip().upper()
        if code not in countries:
            raise ValueError(f"{value!r} is not an ISO 3166 country code")
        return code

    @field_validator("languages", mode="before")
    @classmethod
    def _languages(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        codes = [v.strip().lower() if isinstance(v, str) else v for v in value]
        wrong = [str(c) for c in codes if c not in LANGUAGES]
        if wrong:
            raise _unknown("languages", ", ".join(wrong), LANGUAGES)
        return codes

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: Any) -> Any:
        if value is None:
            return None
        code = value.strip().lower() if isinstance(value, str) else value
        if code not in LANGUAGES:
            raise _unknown("language", value, LANGUAGES)
        return code

    def to_query(self, *, memberships: list[str] | None = None) -> FinderQuery:
        return FinderQuery(
            description=self.description.strip(),
            country=self.country or "",
            population=self.population,
            experience=self.experience.value if self.experience else "",
            languages=tuple(self.languages),
            goals=tuple(g.value for g in self.goals),
            topics=tuple(t.strip() for t in self.topics if t.strip()),
            staff_time=self.staff_time.value if self.staff_time else "",
            budget=self.budget.value if self.budget else "",
            memberships=tuple(memberships if memberships is not None else self.memberships or ()),
        )


class FinderOfferOut(Schema):
    slug: str
    name: str
    kind: str
    url: str


class FinderItemOut(Schema):
    offer: FinderOfferOut
    score: float
    fit: str = Field(description="strong | good | possible: the score in a band")
    fit_label: str = Field(description="the band in words, in the answer's language")
    reasons: list[str] = Field(description="why the offer fits")
    notes: list[str] = Field(
        description="conditions and warnings: eligibility, invitation, language barrier, deadline"
    )


class FinderPeerOut(Schema):
    name: str
    country: str | None
    shared_topics: list[str]
    url: str


class UnderstoodOut(Schema):
    topics: list[str]
    goals: list[str]
    experience: str | None
    low_resources: bool
    time_budget_minutes: int | None = None
    mode: str | None = Field(None, description="online | on_site, when the text says")
    scope: str | None = Field(None, description="national | eu | international, when said")


class FinderOut(Schema):
    items: list[FinderItemOut]
    count: int
    events: list[dict[str, Any]]
    resources: list[dict[str, Any]]
    peers: list[FinderPeerOut]
    understood: UnderstoodOut
    advice: list[str] = Field(
        default_factory=list, description="what to change when little or nothing fits"
    )


class SavedOut(FinderOut):
    id: str
    url: str


class SavedResultOut(Schema):
    id: str
    created_at: str
    request: dict[str, Any]
    items: list[FinderItemOut]
    count: int


def _check_rate(request: HttpRequest) -> None:
    check_api(request, FINDER_LIMIT)


def _language(payload: FinderIn) -> str:
    return payload.language or current_language()


def _query(request: HttpRequest, payload: FinderIn) -> FinderQuery:
    """The payload as a Finder query; memberships default to the user's own profile."""
    if payload.memberships is None:
        return payload.to_query(memberships=selectors.membership_slugs_for_user(request.user))
    known = selectors.offer_slugs(payload.memberships)
    unknown = [slug for slug in payload.memberships if slug not in known]
    if unknown:
        raise HttpError(
            422,
            _("memberships: no offer has the address %(slugs)s (see GET /api/v1/offers)")
            % {"slugs": ", ".join(unknown)},
        )
    return payload.to_query()


@router.post("/finder", response={200: FinderOut, 429: ErrorOut}, auth=None)
def finder(request: HttpRequest, payload: FinderIn) -> Any:
    """Rank the offers for a municipality's needs and say why each fits.

    Only ``description`` is required. Reasons are worded in ``language`` or,
    without it, in the request's Accept-Language.
    """
    _check_rate(request)
    language = _language(payload)
    query = _query(request, payload)
    with translation.override(language):
        answer = finder_run(query, language=language)
    # The answer is built from typed parts already; it is written out directly
    # rather than validated field by field again (a tenth of the request's time).
    return HttpResponse(
        json.dumps(_public(answer), cls=DjangoJSONEncoder), content_type="application/json"
    )


def _public(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer with exactly the fields of ``FinderOut``."""
    return {
        "items": [
            {
                "offer": {key: item["offer"][key] for key in ("slug", "name", "kind", "url")},
                "score": item["score"],
                "fit": item["fit"],
                "fit_label": item["fit_label"],
                "reasons": item["reasons"],
                "notes": item["notes"],
            }
            for item in answer["items"]
        ],
        "count": answer["count"],
        "events": answer["events"],
        "resources": answer["resources"],
        "peers": answer["peers"],
        "understood": answer["understood"],
        "advice": answer["advice"],
    }


@router.post("/finder/results", response={201: SavedOut, 429: ErrorOut}, auth=None)
def finder_save(request: HttpRequest, payload: FinderIn) -> Status:
    """Run the Finder and keep the list under an unguessable id to share by link."""
    _check_rate(request)
    language = _language(payload)
    query = _query(request, payload)
    with translation.override(language):
        answer = finder_run(query, language=language, record_gaps=False)
        result = services.saved_result_create(
            request=query.as_dict(), items=answer["items"], actor=request.user
        )
        return Status(
            201,
            {
                **answer,
                "id": result.token,
                "url": request.build_absolute_uri(result.get_absolute_url()),
            },
        )


@router.get("/finder/results/{id}", response=SavedResultOut, auth=None)
def finder_result(request: HttpRequest, id: str) -> dict[str, Any]:
    result = get_for_user(SavedResult.objects.all(), user=request.user, token=id)
    items = selectors.saved_result_items(result=result, language=current_language())
    return {
        "id": result.token,
        "created_at": result.created_at.isoformat(),
        "request": result.request,
        "items": items,
        "count": len(items),
    }
