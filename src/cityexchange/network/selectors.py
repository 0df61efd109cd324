"""Reads of the network app: members, partnerships, meetings, budget and the programme report.

The programme report is computed here from the running data (events' formats and
editions, the network's payments, meetings, partnerships and members) for a period.
Figures a source gives only in aggregate come from ``ReportedFigure`` and are kept
apart from what the data computes, so a reader always sees which is which.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from cityexchange.network.models import (
    STATUS_ORDER,
    ActionItem,
    Allocation,
    Body,
    BudgetLine,
    Commitment,
    FigureKind,
    Meeting,
    Membership,
    NextStep,
    Partnership,
    PartnershipKind,
    Payment,
    Qualifier,
    ReportedFigure,
)

HOME_COUNTRY = "DE"


# --- members and partnerships ---------------------------------------------------------


def members(*, on: dt.date | None = None) -> QuerySet[Membership]:
    """Members on a day (today by default): started by then (or no start known), not ended."""
    on = on or timezone.localdate()
    return (
        Membership.objects.filter(Q(since__isnull=True) | Q(since__lte=on))
        .filter(Q(until__isnull=True) | Q(until__gte=on))
        .select_related("organisation")
        .order_by("role", "country", "organisation__name")
    )


def members_in_period(*, start: dt.date, end: dt.date) -> list[Membership]:
    return list(
        Membership.objects.filter(Q(since__isnull=True) | Q(since__lte=end))
        .filter(Q(until__isnull=True) | Q(until__gte=start))
        .select_related("organisation")
        .order_by("role", "country", "organisation__name")
    )


def public_partnerships() -> QuerySet[Partnership]:
    return (
        Partnership.objects.filter(is_public=True)
        .prefetch_related("organisations")
        .order_by("title")
    )


def partnerships_for_staff(
    *, status: str | None = None, kind: str | None = None
) -> QuerySet[Partnership]:
    qs = Partnership.objects.prefetch_related(
        "organisations", "topics", "funding_options"
    ).annotate(open_steps=Count("next_steps", filter=Q(next_steps__done_at__isnull=True)))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("title")


def partnership_detail(queryset: QuerySet[Partnership] | None = None) -> QuerySet[Partnership]:
    return (queryset or Partnership.objects.all()).prefetch_related(
        "organisations",
        "topics",
        "funding_options",
        "status_changes",
        Prefetch("activities"),
        Prefetch("next_steps", queryset=NextStep.objects.select_related("owner")),
    )


def pipeline_counts(*, include_demo: bool = True) -> dict[str, dict[str, int]]:
    """Partnerships by kind and status: {kind: {status: n}}, every cell present."""
    table = {k: dict.fromkeys(STATUS_ORDER, 0) for k in PartnershipKind.values}
    partnerships = (
        Partnership.objects.all() if include_demo else Partnership.objects.filter(is_demo=False)
    )
    for row in partnerships.order_by().values("kind", "status").annotate(n=Count("id")):
        table[row["kind"]][row["status"]] += row["n"]
    return table


def open_next_steps(*, until: dt.date | None = None) -> QuerySet[NextStep]:
    qs = NextStep.objects.filter(done_at__isnull=True).select_related("owner", "partnership")
    if until is not None:
        qs = qs.filter(due_on__lte=until)
    return qs.order_by("due_on", "id")


def open_action_items(*, until: dt.date) -> QuerySet[ActionItem]:
    """Meetings' action items not done yet that fall due by ``until``, soonest first."""
    return (
        ActionItem.objects.filter(done_at__isnull=True, due_on__lte=until)
        .select_related("owner", "meeting__body")
        .order_by("due_on", "id")
    )


def meetings(*, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[Meeting]:
    qs = Meeting.objects.select_related("body").prefetch_related(
        "agenda_items",
        Prefetch("action_items", queryset=ActionItem.objects.select_related("owner")),
    )
    if start:
        qs = qs.filter(held_on__gte=start)
    if end:
        qs = qs.filter(held_on__lte=end)
    return qs.order_by("held_on", "body__name")


def bodies() -> QuerySet[Body]:
    return Body.objects.prefetch_related(
        Prefetch("meetings", queryset=Meeting.objects.order_by("held_on"))
    ).order_by("name")


# --- budget ----------------------------------------------------------------------------


def percent(part: Decimal, whole: Decimal | None) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class ProgrammeUse:
    name: str
    allocated: Decimal | None
    paid: Decimal


@dataclass
class BudgetYear:
    line: BudgetLine
    year: int
    currency: str
    allocated: Decimal | None
    paid: Decimal
    committed: Decimal | None
    programmes: list[ProgrammeUse]
    utilisation: Decimal | None
    change: Decimal | None
    reported_utilisation: ReportedFigure | None = None
    reported_change: ReportedFigure | None = None
    forecast: Decimal | None = None
    forecast_utilisation: Decimal | None = None
    undated_paid: Decimal = Decimal(0)


def _line_allocations(years: list[int]) -> dict[tuple[int, int], Decimal]:
    """Allocation per (line, year): the line's own figure, else the sum of its programmes'."""
    own: dict[tuple[int, int], Decimal] = {}
    summed: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for a in Allocation.objects.filter(year__in=years).values(
        "line_id", "year", "programme_id", "amount"
    ):
        key = (a["line_id"], a["year"])
        if a["programme_id"] is None:
            own[key] = a["amount"]
        else:
            summed[key] += a["amount"]
    return {**summed, **own}


def budget_years(*, years: list[int], today: dt.date | None = None) -> list[BudgetYear]:
    """Use of every budget line per year: allocated, paid, utilisation, change, forecast."""
    today = today or timezone.localdate()
    lines = list(BudgetLine.objects.order_by("chapter", "title_code"))
    all_years = sorted(set(years) | {y - 1 for y in years})
    allocations = _line_allocations(all_years)
    programme_alloc: dict[tuple[int, int, str], Decimal] = {}
    for a in Allocation.objects.filter(year__in=years, programme__isnull=False).select_related(
        "programme"
    ):
        programme_alloc[(a.line_id, a.year, a.programme.name if a.programme else "")] = a.amount
    paid_by: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
    paid_total: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    dated: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for p in Payment.objects.filter(year__in=years).select_related("programme"):
        name = p.programme.name if p.programme else ""
        paid_by[(p.line_id, p.year, name)] += p.amount
        paid_total[(p.line_id, p.year)] += p.amount
        if p.paid_on is not None and p.paid_on <= today:
            dated[(p.line_id, p.year)] += p.amount
    committed = {
        (r["line_id"], r["year"]): r["total"] or Decimal(0)
        for r in Commitment.objects.filter(year__in=years)
        .values("line_id", "year")
        .annotate(total=Sum("amount"))
    }
    figures = list(
        ReportedFigure.objects.filter(kind__in=[FigureKind.UTILISATION, FigureKind.LINE_CHANGE])
    )
    result = []
    for line in lines:
        for year in years:
            allocated = allocations.get((line.pk, year))
            previous = allocations.get((line.pk, year - 1))
            paid = paid_total.get((line.pk, year), Decimal(0))
            names = sorted(
                {n for (lid, y, n) in paid_by if lid == line.pk and y == year}
                | {n for (lid, y, n) in programme_alloc if lid == line.pk and y == year}
            )
            row = BudgetYear(
                line=line,
                year=year,
                currency="EUR",
                allocated=allocated,
                paid=paid,
                committed=committed.get((line.pk, year)),
                programmes=[
                    ProgrammeUse(
                        name=n,
                        allocated=programme_alloc.get((line.pk, year, n)),
                        paid=paid_by.get((line.pk, year, n), Decimal(0)),
                    )
                    for n in names
                ],
                utilisation=percent(paid, allocated),
                change=(
                    percent(allocated - previous, previous)
                    if allocated is not None and previous
                    else None
                ),
                undated_paid=paid - dated.get((line.pk, year), Decimal(0)),
            )
            for f in figures:
                if f.line_id == line.pk and f.year == year:
                    if f.kind == FigureKind.UTILISATION:
                        row.reported_utilisation = f
                    else:
                        row.reported_change = f
            if year == today.year and allocated:
                row.forecast = forecast_year_end(
                    paid=dated.get((line.pk, year), Decimal(0)), today=today
                )
                row.forecast_utilisation = percent(row.forecast + row.undated_paid, allocated)
            if any(
                [allocated, paid, row.reported_utilisation, row.reported_change, row.programmes]
            ):
                result.append(row)
    return result


def forecast_year_end(*, paid: Decimal, today: dt.date) -> Decimal:
    """Year-end payments if the pace so far (per elapsed month) holds for the rest of the year."""
    elapsed = Decimal(today.month - 1) + Decimal(today.day) / Decimal(31)
    if elapsed <= 0:
        return paid
    return (paid / elapsed * 12).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def pace_needed(*, today: dt.date) -> Decimal:
    """The share of the year gone: where utilisation should stand for full use by year-end."""
    start = dt.date(today.year, 1, 1)
    days = (dt.date(today.year + 1, 1, 1) - start).days
    return (Decimal((today - start).days + 1) * 100 / days).quantize(Decimal("0.1"))


# --- the programme report ----------------------------------------------------------------


@dataclass
class Edition:
    number: int | None
    title: str
    day: dt.date
    participants: int | None
    out_of_order: bool = False


def _whole(value: Decimal | None) -> int | Decimal | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else value


@dataclass
class FormatReported:
    """What a source reported for one format in aggregate, with its citation.

    The one place these figures live: the events pages and API, the dashboard and the
    programme report all read them from here.
    """

    participants: ReportedFigure | None = None
    share: ReportedFigure | None = None

    @property
    def participants_min(self) -> int | Decimal | None:
        return _whole(self.participants.value) if self.participants else None

    @property
    def participants_max(self) -> int | Decimal | None:
        if self.participants is None:
            return None
        return _whole(self.participants.value_max or self.participants.value)

    @property
    def international_share(self) -> int | Decimal | None:
        return _whole(self.share.value) if self.share else None

    @property
    def share_is_lower_bound(self) -> bool:
        return self.share is not None and self.share.qualifier == Qualifier.MORE_THAN

    @property
    def speaker_countries(self) -> list[str]:
        return list(self.share.countries or []) if self.share else []


def reported_by_format(format_ids: Iterable[int] | None = None) -> dict[int, FormatReported]:
    """Reported participation and international share per format id (one query)."""
    figures = ReportedFigure.objects.filter(
        format__isnull=False, kind__in=[FigureKind.PARTICIPANTS, FigureKind.INTERNATIONAL_SHARE]
    ).order_by("kind", "format", "key")
    if format_ids is not None:
        figures = figures.filter(format__in=list(format_ids))
    result: dict[int, FormatReported] = {}
    for figure in figures:
        entry = result.setdefault(int(figure.format_id or 0), FormatReported())
        if figure.kind == FigureKind.PARTICIPANTS and entry.participants is None:
            entry.participants = figure
        elif figure.kind == FigureKind.INTERNATIONAL_SHARE and entry.share is None:
            entry.share = figure
    return result


@dataclass
class FormatSection:
    slug: str
    name: str
    duration: int
    mode: str
    language: str
    interpretation: list[str]
    cadence: str
    editions: list[Edition]
    reported_participants: ReportedFigure | None
    reported_share: ReportedFigure | None
    recorded_editions: int
    participants_min: int | None
    participants_max: int | None
    participants_mean: Decimal | None
    speakers: int
    international_speakers: int
    international_share: Decimal | None
    speaker_countries: list[str]
    documented: int

    @property
    def count(self) -> int:
        return len(self.editions)


@dataclass
class Flag:
    kind: str
    data: dict[str, Any]


@dataclass
class Report:
    start: dt.date
    end: dt.date
    formats: list[FormatSection]
    budget: list[BudgetYear]
    meetings: list[Meeting]
    pipeline: dict[str, dict[str, int]]
    members: list[Membership]
    flags: list[Flag] = field(default_factory=list)

    @property
    def edition_count(self) -> int:
        return sum(f.count for f in self.formats)


def _edition_flags(section: FormatSection, flags: list[Flag]) -> None:
    numbered = sorted(
        (e for e in section.editions if e.number is not None), key=lambda e: e.number or 0
    )
    for before, after in zip(numbered, numbered[1:], strict=False):
        if after.day < before.day:
            # Which one is wrong cannot be told from two editions: name the later number,
            # unless the one after it agrees with it (then the earlier one stands out).
            suspect = after
            index = numbered.index(after)
            if index + 1 < len(numbered) and numbered[index + 1].day < before.day:
                suspect = before
            suspect.out_of_order = True
            flags.append(
                Flag(
                    "edition_order",
                    {
                        "format": section.name,
                        "number": suspect.number,
                        "date": suspect.day,
                        "previous_number": before.number if suspect is after else None,
                        "previous_date": before.day if suspect is after else None,
                        "next_number": after.number if suspect is before else None,
                        "next_date": after.day if suspect is before else None,
                    },
                )
            )


def programme_report(*, start: dt.date, end: dt.date, today: dt.date | None = None) -> Report:
    """Everything the report states, computed from the data for ``start``..``end``."""
    from cityexchange.events.models import Event, EventStatus, Format, Speaker
    from cityexchange.events.selectors import documentation_of

    events = list(
        Event.objects.filter(
            starts_at__date__gte=start - dt.timedelta(days=1),
            starts_at__date__lte=end + dt.timedelta(days=1),
        )
        .exclude(status__in=[EventStatus.DRAFT, EventStatus.CANCELLED])
        .filter(is_demo=False)
        .annotate(
            attended_count=Count("registrations", filter=Q(registrations__attended=True)),
            published_materials=Count(
                "materials", filter=Q(materials__published=True), distinct=True
            ),
        )
        .order_by("starts_at")
    )
    # The day in the edition's own zone decides whether it belongs to the period.
    events = [e for e in events if start <= e.starts_on <= end]
    # Documentation is published on the event or as the edition's page in the library.
    in_library = documentation_of(event_ids=[e.pk for e in events], user=None)
    speakers = list(
        Speaker.objects.filter(event__in=[e.pk for e in events]).values(
            "event__format_id", "country"
        )
    )
    by_format: dict[int, list[Any]] = defaultdict(list)
    for e in events:
        by_format[e.format_id].append(e)
    aggregates = reported_by_format(by_format.keys())
    sections: list[FormatSection] = []
    flags: list[Flag] = []
    for fmt in Format.objects.filter(pk__in=by_format.keys()).order_by("position", "slug"):
        editions = []
        recorded: list[int] = []
        documented = 0
        for e in by_format[fmt.pk]:
            count = e.attended_count or e.reported_participants
            if count:
                recorded.append(count)
            if (
                e.documentation_published_at is not None
                or e.published_materials
                or in_library.get(e.pk)
            ):
                documented += 1
            editions.append(
                Edition(
                    number=e.edition, title=e.title, day=e.starts_on, participants=count or None
                )
            )
        editions.sort(key=lambda x: (x.number is None, x.number or 0, x.day))
        fmt_speakers = [s for s in speakers if s["event__format_id"] == fmt.pk and s["country"]]
        international = [s for s in fmt_speakers if s["country"] != HOME_COUNTRY]
        section = FormatSection(
            slug=fmt.slug,
            name=fmt.name,
            duration=fmt.default_duration_minutes,
            mode=fmt.get_mode_display(),
            language=fmt.language,
            interpretation=list(fmt.interpretation_languages or []),
            cadence=fmt.cadence,
            editions=editions,
            reported_participants=aggregates.get(fmt.pk, FormatReported()).participants,
            reported_share=aggregates.get(fmt.pk, FormatReported()).share,
            recorded_editions=len(recorded),
            participants_min=min(recorded) if recorded else None,
            participants_max=max(recorded) if recorded else None,
            participants_mean=(
                (Decimal(sum(recorded)) / len(recorded)).quantize(Decimal("0.1"))
                if recorded
                else None
            ),
            speakers=len(fmt_speakers),
            international_speakers=len(international),
            international_share=percent(Decimal(len(international)), Decimal(len(fmt_speakers))),
            speaker_countries=sorted(Counter(s["country"] for s in international)),
            documented=documented,
        )
        _edition_flags(section, flags)
        rp = section.reported_participants
        if rp is not None and recorded and rp.value is not None and rp.value_max is not None:
            outside = [n for n in recorded if not rp.value <= n <= rp.value_max]
            if outside:
                flags.append(
                    Flag("participants_outside", {"format": section.name, "count": len(outside)})
                )
        sections.append(section)
    budget = budget_years(years=list(range(start.year, end.year + 1)), today=today)
    for row in budget:
        reported = row.reported_utilisation
        if reported is not None and reported.value is not None and row.utilisation is not None:
            if abs(row.utilisation - reported.value) >= 1:
                flags.append(
                    Flag(
                        "utilisation_differs",
                        {"year": row.year, "reported": reported.value, "computed": row.utilisation},
                    )
                )
        change = row.reported_change
        if change is not None and change.value is not None and row.change is not None:
            if abs(row.change - change.value) >= Decimal("0.1"):
                flags.append(
                    Flag(
                        "change_differs",
                        {"year": row.year, "reported": change.value, "computed": row.change},
                    )
                )
    return Report(
        start=start,
        end=end,
        formats=sections,
        budget=budget,
        meetings=list(meetings(start=start, end=end)),
        # Demo content never reaches a report.
        pipeline=pipeline_counts(include_demo=False),
        members=[m for m in members_in_period(start=start, end=end) if not m.is_demo],
        flags=flags,
    )


@dataclass
class TrendYear:
    year: int
    editions: int
    recorded: list[int]

    @property
    def mean(self) -> Decimal | None:
        if not self.recorded:
            return None
        return (Decimal(sum(self.recorded)) / len(self.recorded)).quantize(Decimal("0.1"))


@dataclass
class Trend:
    name: str
    slug: str
    reported: ReportedFigure | None
    years: list[TrendYear]
    chart: Any = None


def participation_trend() -> list[Trend]:
    """Per format and year: editions held and the participation recorded for them."""
    from cityexchange.events.models import Event, EventStatus, Format

    events = (
        Event.objects.filter(status=EventStatus.FINISHED, is_demo=False)
        .annotate(attended_count=Count("registrations", filter=Q(registrations__attended=True)))
        .only("format_id", "starts_at", "timezone", "reported_participants")
    )
    by_format: dict[int, dict[int, TrendYear]] = defaultdict(dict)
    for e in events:
        year = e.starts_on.year
        row = by_format[e.format_id].setdefault(year, TrendYear(year=year, editions=0, recorded=[]))
        row.editions += 1
        count = e.attended_count or e.reported_participants
        if count:
            row.recorded.append(count)
    reported = reported_by_format(by_format.keys())
    return [
        Trend(
            name=fmt.name,
            slug=fmt.slug,
            reported=reported.get(fmt.pk, FormatReported()).participants,
            years=[by_format[fmt.pk][y] for y in sorted(by_format[fmt.pk])],
        )
        for fmt in Format.objects.filter(pk__in=by_format.keys()).order_by("position", "slug")
    ]


def dashboard(*, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    return {
        "today": today,
        "steps": list(open_next_steps(until=today + dt.timedelta(days=30))[:20]),
        "actions": list(open_action_items(until=today + dt.timedelta(days=30))[:20]),
        "pipeline": pipeline_counts(),
        "budget": budget_years(years=[today.year], today=today),
        "pace": pace_needed(today=today),
        "trends": participation_trend(),
    }
