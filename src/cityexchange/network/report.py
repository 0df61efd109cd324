"""The programme report as a neutral document (headings, paragraphs, tables).

``document(report, language)`` turns the computed ``selectors.Report`` into blocks
in one language; the page, the PDF, the XLSX and the DOCX all render these same
blocks, so the four outputs cannot say different things.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries as country_names

from cityexchange.network.models import (
    MemberRole,
    PartnershipKind,
    PartnershipStatus,
    Qualifier,
    ReportedFigure,
)
from cityexchange.network.selectors import Flag, Report

LANGUAGE_NAMES = {
    "en": gettext_lazy("English"),
    "de": gettext_lazy("German"),
    "es": gettext_lazy("Spanish"),
    "pt": gettext_lazy("Portuguese"),
}


@dataclass
class Block:
    kind: str  # "h1" | "h2" | "h3" | "p" | "flag" | "table"
    text: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


class Writer:
    def __init__(self, language: str) -> None:
        self.language = language
        self.blocks: list[Block] = []

    def h(self, level: int, text: str) -> None:
        self.blocks.append(Block(f"h{level}", text))

    def p(self, text: str) -> None:
        self.blocks.append(Block("p", text))

    def flag(self, text: str) -> None:
        self.blocks.append(Block("flag", text))

    def table(self, caption: str, headers: list[str], rows: list[list[str]]) -> None:
        self.blocks.append(Block("table", caption, headers, rows))

    # formatting in the report's language
    def date(self, day: dt.date) -> str:
        return format_date(day, format="medium", locale=self.language)

    def money(self, amount: Decimal | None, currency: str = "EUR") -> str:
        if amount is None:
            return _("not recorded")
        return format_currency(amount, currency, locale=self.language)

    def number(self, value: Decimal | int | None) -> str:
        if value is None:
            return "–"
        return format_decimal(value, locale=self.language)

    def pct(self, value: Decimal | None) -> str:
        if value is None:
            return _("not computable")
        return f"{self.number(value)} %"

    def country(self, code: str) -> str:
        if code == "EU":
            return _("European level")
        return str(country_names.name(code)) or code


def _figure(w: Writer, figure: ReportedFigure | None) -> str:
    if figure is None:
        return _("none reported")
    if figure.qualifier == Qualifier.RANGE:
        text = f"{w.number(figure.value)}–{w.number(figure.value_max)}"
    elif figure.qualifier == Qualifier.MORE_THAN:
        text = _("more than %(value)s") % {"value": w.number(figure.value)}
    else:
        text = w.number(figure.value)
    if figure.unit == "percent":
        text += " %"
    return text


def _source(figure: ReportedFigure) -> str:
    period = figure.period_note or (str(figure.year) if figure.year else "")
    return _("source: %(source)s; period: %(period)s") % {
        "source": figure.source,
        "period": period or _("not stated"),
    }


def _flag_text(w: Writer, flag: Flag) -> str:
    d = flag.data
    if flag.kind == "edition_order" and d.get("previous_number") is not None:
        return _(
            "%(format)s %(number)s is dated %(date)s, before number %(other)s (%(other_date)s): "
            "the date and the numbering disagree; please check the source."
        ) % {
            "format": d["format"],
            "number": d["number"],
            "date": w.date(d["date"]),
            "other": d["previous_number"],
            "other_date": w.date(d["previous_date"]),
        }
    if flag.kind == "edition_order":
        return _(
            "%(format)s %(number)s is dated %(date)s, after number %(other)s (%(other_date)s): "
            "the date and the numbering disagree; please check the source."
        ) % {
            "format": d["format"],
            "number": d["number"],
            "date": w.date(d["date"]),
            "other": d["next_number"],
            "other_date": w.date(d["next_date"]),
        }
    if flag.kind == "participants_outside":
        return (
            _(
                "%(format)s: %(count)s editions have recorded participation outside the reported range."
            )
            % d
        )
    if flag.kind == "utilisation_differs":
        return _(
            "Budget %(year)s: the reported utilisation (%(reported)s) differs from the one the "
            "data gives (%(computed)s)."
        ) % {"year": d["year"], "reported": w.pct(d["reported"]), "computed": w.pct(d["computed"])}
    return _(
        "Budget %(year)s: the reported change of the line (%(reported)s) differs from the one the "
        "data gives (%(computed)s)."
    ) % {"year": d["year"], "reported": w.pct(d["reported"]), "computed": w.pct(d["computed"])}


def document(report: Report, language: str) -> list[Block]:
    with translation.override(language):
        return _document(report, language)


def _document(report: Report, language: str) -> list[Block]:
    w = Writer(language)
    w.h(
        1,
        _("Programme report %(start)s – %(end)s")
        % {"start": w.date(report.start), "end": w.date(report.end)},
    )
    w.p(
        _(
            "Computed from the platform's data. Figures marked “reported” come from a source "
            "that gives them only in aggregate; they stand beside the computed figures."
        )
    )
    summary = ", ".join(
        _("%(count)s × %(format)s") % {"count": s.count, "format": s.name} for s in report.formats
    )
    w.p(
        _("%(total)s editions in the period: %(summary)s.")
        % {"total": report.edition_count, "summary": summary or _("none")}
    )
    if report.flags:
        w.h(2, _("Data to check"))
        for flag in report.flags:
            w.flag(_flag_text(w, flag))

    w.h(2, _("Exchange formats"))
    for s in report.formats:
        w.h(3, s.name)
        interpretation = ", ".join(str(LANGUAGE_NAMES.get(c, c)) for c in s.interpretation)
        w.p(
            _(
                "About %(minutes)s minutes, %(mode)s, held in %(language)s; interpretation on demand: %(interpretation)s."
            )
            % {
                "minutes": s.duration,
                "mode": s.mode.lower(),
                "language": str(LANGUAGE_NAMES.get(s.language, s.language)),
                "interpretation": interpretation or _("none"),
            }
        )
        if s.editions:
            w.p(
                _("%(count)s editions from %(first)s to %(last)s.")
                % {
                    "count": s.count,
                    "first": w.date(min(e.day for e in s.editions)),
                    "last": w.date(max(e.day for e in s.editions)),
                }
            )
        w.table(
            _("Editions of %(format)s") % {"format": s.name},
            [_("No."), _("Title"), _("Date"), _("Participants (recorded)")],
            [
                [
                    str(e.number) if e.number is not None else "–",
                    e.title,
                    w.date(e.day) + (" (!) " + _("check date") if e.out_of_order else ""),
                    w.number(e.participants),
                ]
                for e in s.editions
            ],
        )
        rp = s.reported_participants
        w.p(
            _("Participants per edition, reported: %(range)s") % {"range": _figure(w, rp)}
            + (f" ({_source(rp)})" if rp else "")
        )
        if s.recorded_editions:
            w.p(
                _("Participants recorded for %(n)s editions: %(min)s to %(max)s, mean %(mean)s.")
                % {
                    "n": s.recorded_editions,
                    "min": w.number(s.participants_min),
                    "max": w.number(s.participants_max),
                    "mean": w.number(s.participants_mean),
                }
            )
        else:
            w.p(_("No participation is recorded for these editions in the data."))
        rs = s.reported_share
        if rs is not None:
            w.p(
                _(
                    "Share of international contributions, reported: %(share)s; countries: %(countries)s"
                )
                % {
                    "share": _figure(w, rs),
                    "countries": ", ".join(w.country(c) for c in rs.countries) or _("none named"),
                }
                + f" ({_source(rs)})"
            )
        if s.speakers:
            w.p(
                _(
                    "Speakers recorded: %(n)s, of them %(intl)s from abroad (%(share)s); countries: %(countries)s."
                )
                % {
                    "n": s.speakers,
                    "intl": s.international_speakers,
                    "share": w.pct(s.international_share),
                    "countries": ", ".join(w.country(c) for c in s.speaker_countries) or _("none"),
                }
            )
        else:
            w.p(_("No speakers are recorded for these editions in the data."))
        w.p(
            _("Documentation published for %(documented)s of %(count)s editions.")
            % {"documented": s.documented, "count": s.count}
        )

    w.h(2, _("Budget"))
    if not report.budget:
        w.p(_("No budget data for the period."))
    for row in report.budget:
        w.h(3, f"{row.line.code} {row.line.name} – {row.year}")
        w.table(
            _("Use of the line in %(year)s") % {"year": row.year},
            [_("Figure"), _("Computed from the data"), _("Reported")],
            [
                [_("Allocated"), w.money(row.allocated), "–"],
                [_("Paid"), w.money(row.paid if row.paid or row.programmes else None), "–"],
                [_("Committed"), w.money(row.committed), "–"],
                [
                    _("Utilisation (paid ÷ allocated)"),
                    w.pct(row.utilisation),
                    _figure(w, row.reported_utilisation)
                    + (
                        f" ({_source(row.reported_utilisation)})"
                        if row.reported_utilisation
                        else ""
                    ),
                ],
                [
                    _("Change of the line on the previous year"),
                    w.pct(row.change),
                    _figure(w, row.reported_change)
                    + (f" ({_source(row.reported_change)})" if row.reported_change else ""),
                ],
            ],
        )
        if row.programmes:
            w.table(
                _("Use per programme in %(year)s") % {"year": row.year},
                [_("Programme"), _("Allocated"), _("Paid")],
                [[p.name, w.money(p.allocated), w.money(p.paid)] for p in row.programmes],
            )
        if row.allocated is None and row.paid:
            w.p(
                _(
                    "No allocation is recorded for this year, so utilisation cannot be computed from the data."
                )
            )

    w.h(2, _("Meetings of bodies"))
    if report.meetings:
        w.table(
            _("Meetings held in the period"),
            [_("Body"), _("No."), _("Date"), _("Network on the agenda")],
            [
                [
                    m.body.name,
                    str(m.number) if m.number is not None else "–",
                    w.date(m.held_on),
                    {True: _("yes"), False: _("no"), None: _("not known")}[m.network_on_agenda],
                ]
                for m in report.meetings
            ],
        )
    else:
        w.p(_("No meetings recorded in the period."))

    w.h(2, _("Partnerships by kind and status"))
    statuses = list(PartnershipStatus)
    w.table(
        _("Partnerships by kind and status (current)"),
        [_("Kind"), *[str(s.label) for s in statuses], _("Total")],
        [
            [
                str(kind.label),
                *[str(report.pipeline[kind][s]) for s in statuses],
                str(sum(report.pipeline[kind].values())),
            ]
            for kind in PartnershipKind
        ],
    )

    w.h(2, _("Members"))
    member_countries = [m for m in report.members if m.country]
    member_orgs = [m for m in report.members if m.organisation_id]
    w.p(
        _("%(countries)s member countries and %(organisations)s member organisations.")
        % {"countries": len(member_countries), "organisations": len(member_orgs)}
    )
    w.table(
        _("Members in the period"),
        [_("Member"), _("Role"), _("Since"), _("Until")],
        [
            [
                w.country(str(m.country)) if m.country else str(m.organisation),
                str(MemberRole(m.role).label),
                w.date(m.since) if m.since else _("not known"),
                w.date(m.until) if m.until else "–",
            ]
            for m in report.members
        ],
    )
    return w.blocks


def plain_text(blocks: list[Block]) -> str:
    """All the report's text in one string (tests and quick looks)."""
    parts = []
    for b in blocks:
        parts.append(b.text)
        if b.headers:
            parts.append(" | ".join(b.headers))
        parts.extend(" | ".join(row) for row in b.rows)
    return "\n".join(p for p in parts if p)


def report_file(*, start: dt.date, end: dt.date, language: str, fmt: str) -> tuple[bytes, str]:
    """The report for ``start``..``end`` in ``language`` as a ``fmt`` file, and its file name."""
    from cityexchange.network.exports import render
    from cityexchange.network.selectors import programme_report

    with translation.override(language):
        report = programme_report(start=start, end=end)
        blocks = _document(report, language)
        title = blocks[0].text
    name = f"programme-report-{start.isoformat()}-{end.isoformat()}-{language}.{fmt}"
    return render(blocks, fmt, title=title, language=language), name
