"""Events API, mounted at /api/v1/events: programme, event, registration, statistics.

No ``from __future__ import annotations``: django-ninja reads the annotations at import.
The join link is never part of any public answer.
"""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django_countries import countries
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import ConfigDict

from cityexchange.core.access import get_for_user
from cityexchange.core.i18n import current_language
from cityexchange.core.ratelimit import check_api
from cityexchange.core.schemas import ErrorOut
from cityexchange.events import links, selectors, services
from cityexchange.events.limits import REGISTRATION_LIMIT
from cityexchange.events.models import (
    INTERPRETATION_CHOICES,
    ORGANISATION_KIND_CHOICES,
    Attendance,
    Event,
)

router = Router(tags=["events"])


class EventOut(Schema):
    slug: str
    title: str
    format: str
    edition: int | None
    date: dt.date = Field(
        ...,
        description=(
            "The day of the edition in the event's own time zone (not UTC). For "
            "editions whose sources give only the day (time_known false) this is all "
            "that is known."
        ),
        examples=["2021-04-27"],
    )
    starts_at: dt.datetime | None = Field(
        ..., description="The start in UTC; null when only the day is known (time_known false)."
    )
    ends_at: dt.datetime | None = Field(
        ..., description="The end in UTC; null when only the day is known (time_known false)."
    )
    time_known: bool = Field(
        ..., description="False for editions whose sources give only the day: see date."
    )
    duration_minutes: int
    mode: str
    languages: list[str]
    interpretation_languages: list[str]
    capacity: int | None
    seats_left: int | None
    status: str
    url: str

    @staticmethod
    def resolve_format(obj: Event) -> str:
        return obj.format.slug

    @staticmethod
    def resolve_date(obj: Event) -> dt.date:
        return obj.starts_on

    # A date-only edition is stored at midnight in its zone, which is the evening
    # before in UTC: a time would mislead a reader into the previous day.
    @staticmethod
    def resolve_starts_at(obj: Event) -> dt.datetime | None:
        return obj.starts_at if obj.time_known else None

    @staticmethod
    def resolve_ends_at(obj: Event) -> dt.datetime | None:
        return obj.ends_at if obj.time_known else None

    @staticmethod
    def resolve_languages(obj: Event) -> list[str]:
        return [obj.language]

    @staticmethod
    def resolve_seats_left(obj: Event) -> int | None:
        return selectors.seats_left(obj)

    @staticmethod
    def resolve_url(obj: Event) -> str:
        return reverse("events:detail", kwargs={"slug": obj.slug})


class SpeakerOut(Schema):
    name: str
    role: str
    organisation: str | None = None
    country: str | None


class ParticipantOut(Schema):
    name: str
    organisation: str
    country: str | None


class MaterialOut(Schema):
    kind: str
    title: str
    url: str
    summary: str
    duration_minutes: int | None = Field(None, description="A recording's length.")
    captions_language: str | None = Field(
        None, description="The language of a recording's captions; null: none."
    )


class EventDetailOut(EventOut):
    abstract: str
    timezone: str
    venue: str
    series: str | None
    organiser: str | None
    topics: list[str]
    speakers: list[SpeakerOut]
    materials: list[MaterialOut]
    participants: list[ParticipantOut]
    registration_open: bool
    requires_approval: bool

    @staticmethod
    def resolve_series(obj: Event) -> str | None:
        return obj.series.slug if obj.series else None

    @staticmethod
    def resolve_organiser(obj: Event) -> str | None:
        return obj.organiser.slug if obj.organiser else None

    @staticmethod
    def resolve_topics(obj: Event) -> list[str]:
        return [t.key for t in obj.topics.all()]

    @staticmethod
    def resolve_speakers(obj: Event) -> list[dict[str, Any]]:
        # Only people who agreed to a public profile are named.
        return [
            {
                "name": s.person.name,
                "role": s.role,
                "organisation": s.person.organisation.name if s.person.organisation else None,
                "country": str(s.country or "") or None,
            }
            for s in obj.speakers.all()
            if s.person.public_profile
        ]

    @staticmethod
    def resolve_materials(obj: Event) -> list[dict[str, Any]]:
        return [
            {
                "kind": m.kind,
                "title": m.title,
                "summary": m.summary,
                "duration_minutes": m.duration_minutes,
                "captions_language": m.captions_language or None,
                "url": m.url
                or (
                    reverse("events:material", kwargs={"slug": obj.slug, "pk": m.pk})
                    if m.file
                    else ""
                ),
            }
            for m in obj.materials.all()
        ]

    @staticmethod
    def resolve_participants(obj: Event) -> list[dict[str, Any]]:
        # Confirmed people who agreed to be listed; nobody else, and nothing more.
        return [
            {"name": r.name, "organisation": r.organisation, "country": str(r.country) or None}
            for r in selectors.listed_participants(obj)
        ]

    @staticmethod
    def resolve_registration_open(obj: Event) -> bool:
        return services.registration_is_open(obj)


# Years the programme can hold; anything else is a typing error, answered with a 422.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# A page beyond this would ask the database for an offset it cannot represent.
MAX_PAGE = 100_000


class EventFilter(Schema):
    format: str | None = Field(None, max_length=80)
    upcoming: bool | None = None
    series: str | None = Field(None, max_length=80)
    topic: str | None = Field(None, max_length=200)
    year: int | None = Field(None, ge=FIRST_YEAR, le=LAST_YEAR)


class StatisticsFilter(Schema):
    format: str | None = Field(None, max_length=80, description="A format's slug.")
    year: int | None = Field(
        None, ge=FIRST_YEAR, le=LAST_YEAR, description="A calendar year (Europe/Berlin)."
    )


class EventPages(PageNumberPagination):
    """Page numbers with an upper bound, so a huge ``page`` is a 422, not a database error."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)


def _enum(*values: str) -> dict[str, Any]:
    return {"enum": list(values)}


def _countries(schema: dict[str, Any]) -> None:
    schema["enum"] = ["", *sorted(code for code, _name in countries)]


def _current_notice(schema: dict[str, Any]) -> None:
    """Only the privacy notice in force can be agreed to."""
    schema["enum"] = [services.privacy_notice_version()]


# An address the service's own check (Django's validate_email) also accepts, written
# with ASCII classes only: JSON Schema's and pydantic's regular expressions agree on
# those (they differ on \s and on Unicode letters).
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = rf"^{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}$"


def _notice_required(schema: dict[str, Any]) -> None:
    # Required (a registration under a notice the person never saw is refused), but
    # checked by the service, which explains a missing one in the person's language.
    schema.setdefault("required", []).append("privacy_notice_version")


class RegistrationIn(Schema):
    """What a registration sends. The schema names every accepted value; the service
    checks them again and answers a 400 naming the field, in the person's language."""

    model_config = ConfigDict(json_schema_extra=_notice_required)

    name: str = Field(..., min_length=1, max_length=200)
    email: str = Field(..., min_length=3, max_length=254, pattern=EMAIL_PATTERN)
    organisation: str = Field("", max_length=250)
    organisation_kind: str = Field(
        "", max_length=20, json_schema_extra=_enum("", *dict(ORGANISATION_KIND_CHOICES))
    )
    country: str = Field("", max_length=2, json_schema_extra=_countries)
    language: str = Field("en", max_length=2, json_schema_extra=_enum("de", "en", "es", "pt"))
    interpretation_language: str = Field(
        "", max_length=2, json_schema_extra=_enum("", *dict(INTERPRETATION_CHOICES))
    )
    accessibility_needs: str = Field("", max_length=2000)
    attendance: str = Field("online", max_length=10, json_schema_extra=_enum(*Attendance.values))
    privacy_consent: bool = Field(
        ...,
        description="Must be true: the person has read and agrees to the privacy notice.",
        json_schema_extra={"const": True},
    )
    privacy_notice_version: str = Field(
        "",
        max_length=20,
        json_schema_extra=_current_notice,
        description=(
            "The version of the privacy notice the person read and agreed to; the current "
            "one is returned by GET /api/v1/events/privacy-notice. Required: a missing or "
            "outdated version is refused with 400 and field privacy_notice_version, so "
            "nobody is registered under a notice they never saw."
        ),
        examples=["2025-01"],
    )
    participant_list_consent: bool = False


class RegistrationSentOut(Schema):
    """The answer for everyone but the address's own signed-in account.

    The same for a new address, one already registered and one whose registration
    was cancelled: the state and the personal link go to the address by mail.
    """

    event: str
    email: str = Field(..., description="The address the personal link was sent to.")
    message: str


class RegistrationOut(Schema):
    """The answer for a user signed in with the registration's own address."""

    status: str
    created: bool
    event: str
    attendance: str
    waitlist_position: int | None
    message: str
    manage_url: str


class FieldErrorOut(Schema):
    field: str
    message: str


class ValidationErrorOut(Schema):
    """The API's answer to a body that does not match the schema (cityexchange.api)."""

    detail: str
    errors: list[FieldErrorOut]


class PingOut(Schema):
    status: str


class PrivacyNoticeOut(Schema):
    version: str = Field(..., examples=["2025-01"])
    url: str


@router.get("/ping", response=PingOut, auth=None)
def ping(request: HttpRequest) -> dict[str, str]:
    """A bare JSON answer without database work: the benchmark's baseline."""
    return {"status": "ok"}


@router.get("/privacy-notice", response=PrivacyNoticeOut, auth=None)
def privacy_notice(request: HttpRequest) -> dict[str, str]:
    """The privacy notice a registration agrees to: send its version as privacy_notice_version."""
    return {"version": services.privacy_notice_version(), "url": reverse("core:privacy")}


@router.get("", response=list[EventOut], auth=None)
@paginate(EventPages)
def event_list(request: HttpRequest, filters: Query[EventFilter]) -> QuerySet[Event]:
    return selectors.event_list(
        format=filters.format,
        upcoming=filters.upcoming,
        series=filters.series,
        topic=filters.topic,
        year=filters.year,
    )


@router.get("/statistics", auth=None)
def statistics(request: HttpRequest, filters: Query[StatisticsFilter]) -> dict[str, Any]:
    """Per format and year: editions, registrations, attendance, speakers, interpretation.

    Countries are ISO 3166 codes here; the statistics page shows their names.
    """
    figures = selectors.statistics(format=filters.format, year=filters.year)
    items = selectors.statistics_as_dict(figures, language=current_language())
    return {"items": items, "count": len(items)}


@router.get("/{slug}", response=EventDetailOut, auth=None)
def event_detail(request: HttpRequest, slug: str) -> Event:
    return get_for_user(
        selectors.event_for_page(Event.objects.select_related("format", "series", "organiser")),
        user=request.user,
        perm="events.view_event",
        slug=slug,
    )


@router.post(
    "/{slug}/registrations",
    response={
        200: RegistrationOut,
        201: RegistrationOut,
        202: RegistrationSentOut,
        400: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
        429: ErrorOut,
    },
    auth=None,
)
def register(request: HttpRequest, slug: str, payload: RegistrationIn) -> Status:
    """Register for an event: confirmed while seats are left, then the waiting list.

    Anyone can send any address, so the answer (202) says only that the personal
    link and the registration's state went to that address by mail, the same for a
    new address, one already registered and one that had cancelled. A user signed
    in (session) with that very address gets the registration itself: 201 when it
    is new, 200 when it existed, with its state and personal link.

    Errors: 400 bad input (``field`` names it), 404 no such event, 409 registration
    closed, 422 a body that does not match the schema, 429 too many registrations
    from one address in a minute.
    """
    check_api(request, REGISTRATION_LIMIT)
    # The bare row: the seat decision needs no related object.
    event = selectors.event_by_slug(slug)
    if event is None or not request.user.has_perm("events.view_event", event):
        raise Http404
    data = services.RegistrationData(
        name=payload.name,
        email=payload.email,
        organisation=payload.organisation,
        organisation_kind=payload.organisation_kind,
        country=payload.country,
        language=payload.language,
        interpretation_language=payload.interpretation_language,
        accessibility_needs=payload.accessibility_needs,
        attendance=payload.attendance,
        privacy_consent=payload.privacy_consent,
        privacy_notice_version=payload.privacy_notice_version,
        listed=payload.participant_list_consent,
    )
    try:
        outcome = services.registration_create(event=event, data=data, user=request.user)
    except services.RegistrationError as exc:
        return Status(409 if exc.conflict else 400, {"detail": exc.message, "field": exc.field})
    except services.RegistrationClosed as exc:
        return Status(409, {"detail": str(exc)})
    registration, created = outcome.registration, outcome.created
    if not services.registration_is_own(registration=registration, user=request.user):
        return Status(
            202,
            {
                "event": event.slug,
                "email": registration.email,
                "message": services.registration_sent_message(email=registration.email),
            },
        )
    body = {
        "status": registration.status,
        "created": created,
        "event": event.slug,
        "attendance": registration.attendance,
        # A newcomer's place was counted under the lock; only a repeat needs a count.
        "waitlist_position": outcome.waitlist_position
        if created
        else selectors.waitlist_position(registration),
        "message": services.registration_state_message(registration=registration, created=created),
        "manage_url": links.manage_url(registration),
    }
    return Status(201 if created else 200, body)
