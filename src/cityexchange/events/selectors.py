"""Every read of the events app beyond ``.get()``: programme, event pages, feeds, statistics.

Lists carry their seat counts as annotations and their relations through
``select_related``/``prefetch_related``, so a page costs the same few queries
whatever the number of editions, registrations and speakers.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from cityexchange.events import links
from cityexchange.events.models import (
    Attendance,
    Event,
    EventStatus,
    Format,
    Material,
    Registration,
    RegistrationStatus,
    Speaker,
)

STATISTICS_ZONE = "Europe/Berlin"
VISIBLE = (EventStatus.PUBLISHED, EventStatus.FINISHED, EventStatus.CANCELLED)
TAKING_PART = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.PENDING,
)


def with_seats(queryset: QuerySet[Event]) -> QuerySet[Event]:
    """Annotate confirmed seats online and on site (one joined aggregate, no N+1)."""
    confirmed = Q(registrations__status=RegistrationStatus.CONFIRMED)
    return queryset.annotate(
        confirmed_online=Count(
            "registrations", filter=confirmed & Q(registrations__attendance=Attendance.ONLINE)
        ),
        confirmed_onsite=Count(
            "registrations", filter=confirmed & Q(registrations__attendance=Attendance.ONSITE)
        ),
    )


def seats_left(event: Event) -> int | None:
    """Free seats of all kinds together; None when unlimited. Needs ``with_seats``."""
    total = 0
    for attendance, counted in (
        (Attendance.ONLINE, "confirmed_online"),
        (Attendance.ONSITE, "confirmed_onsite"),
    ):
        if attendance == Attendance.ONLINE and not event.has_online:
            continue
        if attendance == Attendance.ONSITE and not event.has_onsite:
            continue
        capacity = event.capacity_for(attendance)
        if capacity is None:
            return None
        used = getattr(event, counted, None)
        if used is None:
            used = event.registrations.filter(
                status=RegistrationStatus.CONFIRMED, attendance=attendance
            ).count()
        total += max(capacity - used, 0)
    return total


def visible_events(*, staff: bool = False) -> QuerySet[Event]:
    queryset = Event.objects.all() if staff else Event.objects.filter(status__in=VISIBLE)
    return queryset.select_related("format", "series", "organiser")


def event_list(
    *,
    format: str | None = None,
    upcoming: bool | None = None,
    series: str | None = None,
    topic: str | None = None,
    year: int | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Event]:
    now = now or timezone.now()
    queryset = with_seats(visible_events()).prefetch_related("topics")
    if format:
        queryset = queryset.filter(format__slug=format)
    if series:
        queryset = queryset.filter(series__slug=series)
    if topic:
        queryset = queryset.filter(topics__key=topic)
    if year:
        queryset = queryset.filter(starts_at__year=year)
    if upcoming is True:
        queryset = queryset.filter(starts_at__gte=now).order_by("starts_at", "slug")
    elif upcoming is False:
        queryset = queryset.filter(starts_at__lt=now).order_by("-starts_at", "slug")
    else:
        queryset = queryset.order_by("starts_at", "slug")
    return queryset.distinct() if topic else queryset


def upcoming_events(*, topics: list[str] | None = None, limit: int = 5) -> list[Event]:
    """Published events still to come, soonest first, optionally on any of these topics."""
    queryset = (
        with_seats(Event.objects.filter(status=EventStatus.PUBLISHED, starts_at__gt=timezone.now()))
        .select_related("format", "organiser")
        .prefetch_related("topics")
    )
    if topics:
        queryset = queryset.filter(topics__key__in=topics).distinct()
    return list(queryset.order_by("starts_at", "slug")[:limit])


def past_editions() -> list[Event]:
    """Editions that have taken place, newest first (the historical programme included)."""
    return list(
        Event.objects.filter(
            status__in=(EventStatus.PUBLISHED, EventStatus.FINISHED), starts_at__lt=timezone.now()
        )
        .select_related("format")
        .order_by("-starts_at", "slug")
    )


# ---------------------------------------------------------------- single rows


# What a registration reads from the event: its permission, the checks of the data,
# whether it is open, and the mail and calendar file. Not the back-office fields.
_REGISTRATION_FIELDS = (
    "slug",
    "status",
    "mode",
    "title",
    "abstract",
    "venue",
    "starts_at",
    "time_known",
    "timezone",
    "duration_minutes",
    "join_url",
    "language",
    "interpretation_languages",
    "registration_opens_at",
    "registration_closes_at",
    "requires_approval",
    "capacity_online",
    "capacity_onsite",
    "sequence",  # the calendar attachment's SEQUENCE
)


def event_by_slug(slug: str) -> Event | None:
    """The event row a registration needs (no relations); authorise it after.

    The slug is unique: ``get`` adds no sort, as ``first`` would.
    """
    try:
        return Event.objects.only(*_REGISTRATION_FIELDS).get(slug=slug)
    except Event.DoesNotExist:
        return None


def registration_with_event(pk: int) -> Registration | None:
    """A registration with its event, for its mail."""
    return Registration.objects.select_related("event").filter(pk=pk).first()


def registration_from_token(token: str) -> Registration | None:
    """The registration a personal link opens; None for a bad link or erased data."""
    key = links.registration_key_from_token(token)
    if key is None:
        return None
    pk, version = key
    return (
        Registration.objects.select_related("event", "event__format")
        .filter(pk=pk, link_version=version, anonymised_at__isnull=True)
        .first()
    )


def registrations_of_user(*, user: Any) -> QuerySet[Registration]:
    """A person's registrations: linked to their account or made for its address."""
    email = (getattr(user, "email", "") or "").lower()
    mine = Q(user=user.pk) | (Q(email=email) if email else Q(pk__in=[]))
    return (
        Registration.objects.filter(mine, anonymised_at__isnull=True)
        .select_related("event")
        .order_by("created_at", "id")
    )


def waitlist_position(registration: Registration) -> int | None:
    """A waiting person's place in the queue of their kind of attendance."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id,
        status=RegistrationStatus.WAITLISTED,
        attendance=registration.attendance,
    ).filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def _listed() -> QuerySet[Registration]:
    """Who may appear on a public participant list: confirmed, consenting, not anonymised."""
    return Registration.objects.filter(
        listed=True, status=RegistrationStatus.CONFIRMED, anonymised_at__isnull=True
    ).exclude(name="")


def event_for_page(queryset: QuerySet[Event]) -> QuerySet[Event]:
    """Everything the event page shows, in a constant number of queries."""
    return with_seats(queryset).prefetch_related(
        "topics",
        Prefetch("speakers", queryset=Speaker.objects.select_related("person__organisation")),
        Prefetch("materials", queryset=Material.objects.filter(published=True)),
        Prefetch(
            "registrations",
            queryset=_listed().only("id", "event_id", "name", "organisation", "country"),
            to_attr="public_participants",
        ),
    )


def listed_participants(event: Event) -> list[Registration]:
    """The public participant list: name, organisation and country of those who agreed."""
    prefetched = getattr(event, "public_participants", None)
    if prefetched is not None:
        return sorted(prefetched, key=lambda r: (r.name.casefold(), r.pk))
    return list(_listed().filter(event=event).order_by("name", "id"))


def formats() -> list[Format]:
    return list(Format.objects.select_related("organiser"))


def programme_years() -> list[int]:
    return sorted(
        {d.year for d in Event.objects.filter(status__in=VISIBLE).dates("starts_at", "year")},
        reverse=True,
    )


def data_quality_warnings() -> QuerySet[Event]:
    return (
        Event.objects.exclude(data_quality_note="")
        .filter(data_quality_confirmed_at__isnull=True)
        .select_related("format")
    )


def participants(event: Event) -> QuerySet[Registration]:
    return Registration.objects.filter(event=event).order_by("status", "created_at", "id")


# ---------------------------------------------------------------- statistics


@dataclass
class YearFigures:
    year: int
    editions: int = 0
    registrations: int = 0
    attendance: list[int] = field(default_factory=list)
    speakers: int = 0
    international_speakers: int = 0
    speaker_countries: Counter[str] = field(default_factory=Counter)
    participant_countries: Counter[str] = field(default_factory=Counter)
    interpretation: Counter[str] = field(default_factory=Counter)

    @property
    def attendance_min(self) -> int | None:
        return min(self.attendance) if self.attendance else None

    @property
    def attendance_max(self) -> int | None:
        return max(self.attendance) if self.attendance else None

    @property
    def attendance_mean(self) -> float | None:
        return round(sum(self.attendance) / len(self.attendance), 1) if self.attendance else None

    @property
    def speaker_country_list(self) -> list[tuple[str, int]]:
        return self.speaker_countries.most_common()

    @property
    def participant_country_list(self) -> list[tuple[str, int]]:
        return self.participant_countries.most_common()

    @property
    def interpretation_list(self) -> list[tuple[str, int]]:
        return sorted(self.interpretation.items())

    @property
    def international_share(self) -> int | None:
        if not self.speakers:
            return None
        return round(100 * self.international_speakers / self.speakers)


@dataclass
class FormatFigures:
    format: Format
    years: list[YearFigures]

    @property
    def speaker_countries(self) -> list[tuple[str, int]]:
        """All years together, most frequent first."""
        total: Counter[str] = Counter()
        for year in self.years:
            total.update(year.speaker_countries)
        return sorted(total.items(), key=lambda item: (-item[1], item[0]))

    @property
    def participant_countries(self) -> list[tuple[str, int]]:
        total: Counter[str] = Counter()
        for year in self.years:
            total.update(year.participant_countries)
        return sorted(total.items(), key=lambda item: (-item[1], item[0]))

    @property
    def has_attendance(self) -> bool:
        return any(year.attendance for year in self.years)


def statistics(*, format: str | None = None, year: int | None = None) -> list[FormatFigures]:
    """Editions, registrations, attendance, speakers and interpretation per format and year.

    Five aggregate queries whatever the data size. Attendance per edition counts
    attended registrations; editions run before this system use the reported number.
    """
    # Years in the network's reference zone: a date-only edition is stored at the
    # start of its day there, which in UTC can still be the previous day.
    zone = zoneinfo.ZoneInfo(STATISTICS_ZONE)
    year_of = ExtractYear("starts_at", tzinfo=zone)
    events = Event.objects.filter(status__in=(EventStatus.PUBLISHED, EventStatus.FINISHED))
    format_list = list(Format.objects.select_related("organiser").order_by("position", "slug"))
    if format:
        events = events.filter(format__slug=format)
        format_list = [f for f in format_list if f.slug == format]
    events = events.annotate(year=year_of)
    if year:
        events = events.filter(year=year)
    per_event = events.annotate(
        registered=Count("registrations", filter=Q(registrations__status__in=TAKING_PART)),
        present=Count("registrations", filter=Q(registrations__attended=True)),
    ).values("id", "format_id", "year", "registered", "present", "reported_participants")
    table: dict[int, dict[int, YearFigures]] = defaultdict(dict)
    for erow in per_event:
        figures = table[erow["format_id"]].setdefault(erow["year"], YearFigures(year=erow["year"]))
        figures.editions += 1
        figures.registrations += erow["registered"]
        attended = erow["present"] or erow["reported_participants"]
        if attended:
            figures.attendance.append(attended)
    event_ids = events.values("id")
    home = "DE"
    for row in (
        Speaker.objects.filter(event__in=event_ids)
        .annotate(year=ExtractYear("event__starts_at", tzinfo=zone))
        .values("event__format_id", "year", "country")
        .annotate(n=Count("id"))
    ):
        figures = table[row["event__format_id"]].setdefault(
            row["year"], YearFigures(year=row["year"])
        )
        figures.speakers += row["n"]
        if row["country"]:
            figures.speaker_countries[row["country"]] += row["n"]
            if row["country"] != home:
                figures.international_speakers += row["n"]
    registrations = Registration.objects.filter(
        event__in=event_ids, status__in=TAKING_PART
    ).annotate(year=ExtractYear("event__starts_at", tzinfo=zone))
    for row in (
        registrations.exclude(country="")
        .values("event__format_id", "year", "country")
        .annotate(n=Count("id"))
    ):
        table[row["event__format_id"]][row["year"]].participant_countries[row["country"]] += row[
            "n"
        ]
    for irow in (
        registrations.exclude(interpretation_language="")
        .values("event__format_id", "year", "interpretation_language")
        .annotate(n=Count("id"))
    ):
        table[irow["event__format_id"]][irow["year"]].interpretation[
            irow["interpretation_language"]
        ] += irow["n"]
    return [
        FormatFigures(format=f, years=[table[f.pk][y] for y in sorted(table.get(f.pk, {}))])
        for f in format_list
    ]


def reported_of(format_ids: list[int]) -> dict[int, Any]:
    """What the network reported per format (participation range, international share,
    speakers' countries), by format id. Those figures live, with their source, in the
    network app; without it there are none."""
    if not format_ids or not apps.is_installed("cityexchange.network"):
        return {}
    from cityexchange.network.selectors import reported_by_format

    return reported_by_format(format_ids)


def statistics_as_dict(figures: list[FormatFigures], *, language: str) -> list[dict[str, Any]]:
    result = []
    reported = reported_of([entry.format.pk for entry in figures])
    for entry in figures:
        fmt = entry.format
        network = reported.get(fmt.pk)
        result.append(
            {
                "format": fmt.slug,
                "name": getattr(fmt, f"name_{language}", None) or fmt.name,
                "reported_by_network": {
                    "participants_min": network and network.participants_min,
                    "participants_max": network and network.participants_max,
                    "international_speaker_share": network and network.international_share,
                    "share_is_lower_bound": bool(network and network.share_is_lower_bound),
                    "speaker_countries": network.speaker_countries if network else [],
                },
                "years": [
                    {
                        "year": y.year,
                        "editions": y.editions,
                        "registrations": y.registrations,
                        "attendance_min": y.attendance_min,
                        "attendance_max": y.attendance_max,
                        "attendance_mean": y.attendance_mean,
                        "speakers": y.speakers,
                        "international_speaker_share": y.international_share,
                        "speaker_countries": dict(y.speaker_countries.most_common()),
                        "participant_countries": dict(y.participant_countries.most_common()),
                        "interpretation_requests": dict(y.interpretation),
                    }
                    for y in entry.years
                ],
            }
        )
    return result


def documentation_of(*, event_ids: list[int], user: Any) -> dict[int, list[Any]]:
    """Library pages documenting these events that ``user`` may see, by event (one query)."""
    if not event_ids or not apps.is_installed("cityexchange.library"):
        return {}
    from cityexchange.library.selectors import documentation_for_events

    return documentation_for_events(event_ids=event_ids, user=user)


def country_name(code: str) -> str:
    """The country's name in the active language; the API keeps the ISO codes."""
    if code == "EU":
        # The European level is no country, and django-countries does not know it.
        return str(_("European Union"))
    return str(countries.name(code)) or code


@dataclass
class FormatOverview:
    """What an offer page shows of a format: its editions, their documentation, speakers."""

    format: Format
    upcoming: list[Event]
    past: list[Event]
    documentation: dict[int, list[Any]]
    speaker_countries: list[str]

    @property
    def past_rows(self) -> list[tuple[Event, list[Any]]]:
        return [(event, self.documentation.get(event.pk, [])) for event in self.past]


def format_overview(
    *, slug: str, user: Any, now: dt.datetime | None = None
) -> FormatOverview | None:
    """The editions of the format ``slug`` (newest first) with their library pages; None if unknown.

    A constant number of queries whatever the number of editions.
    """
    fmt = Format.objects.filter(slug=slug).first()
    if fmt is None:
        return None
    now = now or timezone.now()
    editions = list(
        Event.objects.filter(format=fmt, status__in=VISIBLE).order_by("-starts_at", "slug")
    )
    for event in editions:
        event.format = fmt  # the one format row, not a query per edition
    return FormatOverview(
        format=fmt,
        upcoming=sorted((e for e in editions if e.starts_at >= now), key=lambda e: e.starts_at),
        past=[e for e in editions if e.starts_at < now],
        documentation=documentation_of(event_ids=[e.pk for e in editions], user=user),
        speaker_countries=[
            country_name(code)
            for code in getattr(reported_of([fmt.pk]).get(fmt.pk), "speaker_countries", [])
        ],
    )
